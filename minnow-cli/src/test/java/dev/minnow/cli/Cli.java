package dev.minnow.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the CLI in-process and captures what it prints. The kernel thread count a command sets
 * with --threads is restored afterwards, so one test's --threads does not leak into the next.
 */
record Cli(int exitCode, String out, String err) {
    static synchronized Cli run(String... args) {
        int threads = dev.minnow.kernels.Parallel.threads();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            dev.minnow.kernels.Parallel.setThreads(threads);
        }
    }

    /** The last line of stdout that starts with '{'. */
    String json() {
        String[] lines = out.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("{")) {
                return lines[i];
            }
        }
        throw new AssertionError("no JSON line in stdout:\n" + out + "\nstderr:\n" + err);
    }

    /** Data folder for tests: MINNOW_DATA, else the shared/data found walking up from here. */
    static Path dataDir() {
        String env = System.getenv("MINNOW_DATA");
        if (env != null && Files.isDirectory(Path.of(env))) {
            return Path.of(env);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared/data");
            if (Files.isDirectory(d.resolve("mnist"))) {
                return d;
            }
        }
        throw new AssertionError("no shared/data with mnist/ found above " + Path.of("").toAbsolutePath()
                + "; set MINNOW_DATA");
    }
}
