package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User errors: exit code 2, one message naming the cause, no stack trace, nothing half-written. */
class BadInputTest {
    private static void assertUserError(Cli r, String mustMention) {
        assertEquals(2, r.exitCode(), "exit code; stderr was: " + r.err());
        assertTrue(r.err().toLowerCase().contains(mustMention.toLowerCase()),
                "stderr should mention '" + mustMention + "': " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(r.err().contains("Exception"), "no exception class names: " + r.err());
    }

    @Test
    void unknownModelNameListsTheZoo() {
        assertUserError(Cli.run("info", "lenet7"), "resnet20");
    }

    @Test
    void missingModelFile() {
        assertUserError(Cli.run("info", "/nonexistent/model.onnx"), "not found");
    }

    @Test
    void corruptOnnxFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("broken.onnx");
        Files.write(f, new byte[] {8, 7, 18, 3, 'a', (byte) 0xff, (byte) 0xff, 0x7f, 1, 2, 3});
        Cli r = Cli.run("info", f.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void unknownDataset(@TempDir Path dir) {
        assertUserError(Cli.run("train", "--model", "lenet5", "--dataset", "imagenet21k", "--data-dir", dir.toString()),
                "mnist");
    }

    @Test
    void missingDataFilesSayHowToGetThem(@TempDir Path dir) {
        assertUserError(Cli.run("eval", "lenet5", "--dataset", "mnist", "--data-dir", dir.toString()), "download");
    }

    @Test
    void impossibleHyperParameters(@TempDir Path dir) {
        String data = Cli.dataDir().toString();
        assertUserError(Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", data, "--epochs", "0"),
                "--epochs");
        assertUserError(Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", data, "--lr", "-1"),
                "--lr");
        assertUserError(Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", data,
                "--optimizer", "lbfgs"), "adamw");
        Path out = dir.resolve("m.txt");
        assertUserError(Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", data,
                "--out", out.toString()), ".onnx");
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli r = Cli.run("train", "--modle", "lenet5");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--help"), r.err());
    }

    @Test
    void divergingTrainingStopsNamingTheStep(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run.ckpt");
        Path out = dir.resolve("m.onnx");
        int threads = dev.minnow.kernels.Parallel.threads();
        String other = Integer.toString(threads == 2 ? 3 : 2);
        Cli r = Cli.run("train", "--model", "lenet-300-100", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--epochs", "1", "--lr", "1e12", "--checkpoint", ckpt.toString(), "--out", out.toString(), "--threads", other);
        assertUserError(r, "step");
        assertEquals(threads, dev.minnow.kernels.Parallel.threads(), "--threads is restored after the command");
        assertFalse(Files.exists(out), "no model is written after divergence");
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp")), "no temporary files left");
        }
    }

    @Test
    void everyCommandsHelpRendersWithoutPicocliWarnings() {
        for (String name : new picocli.CommandLine(new Main()).getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Cli r = Cli.run(name, "--help");
            assertEquals(0, r.exitCode(), name + ": " + r.err());
            assertFalse(r.err().contains("picocli WARN") || r.out().contains("picocli WARN"),
                    name + " --help: a description picocli cannot format (a bare % must be %%): " + r.err());
            assertTrue(r.out().contains("Usage: minnow " + name), name + ": " + r.out());
        }
    }
}
