package dev.minnow.cli.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's headless Chromium (Debian package chromium) on a local file. */
final class HeadlessChromium {
    static final String INSTALL = "headless Chromium is needed for this test and was not found: install it with "
            + "`apt-get install -y chromium` (Debian package chromium; .ci/run does this), or set "
            + "MINNOW_NO_BROWSER=1 to skip the browser tests (docs/COMPRESS.md, Report)";

    private final Path binary;
    private final Path profile;

    private HeadlessChromium(Path binary, Path profile) {
        this.binary = binary;
        this.profile = profile;
    }

    /** The installed Chromium, or null when none is on the PATH. */
    static HeadlessChromium find(Path work) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return new HeadlessChromium(p, work.resolve("chromium-profile"));
                }
            }
        }
        return null;
    }

    /** What one run printed: stdout (e.g. the DOM) and stderr (the log, with console messages). */
    record Run(String stdout, String stderr) {
        /** Lines of the log that are page console messages (Chromium logs them all as INFO:CONSOLE). */
        List<String> consoleLines() {
            return stderr.lines().filter(l -> l.contains(":CONSOLE") || l.contains("Uncaught")).toList();
        }
    }

    Run dumpDom(Path html) throws IOException, InterruptedException {
        return run(List.of("--dump-dom", html.toUri().toString()));
    }

    Run screenshot(Path html, Path png, int width, int height) throws IOException, InterruptedException {
        return run(List.of("--screenshot=" + png, "--window-size=" + width + "," + height, html.toUri().toString()));
    }

    private Run run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profile,
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(args);
        Path out = Files.createTempFile(profile.getParent(), "chromium", ".out");
        Path err = Files.createTempFile(profile.getParent(), "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("chromium did not finish in 120 s: " + cmd);
        }
        return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
