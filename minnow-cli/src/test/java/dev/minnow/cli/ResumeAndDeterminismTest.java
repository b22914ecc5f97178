package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the CLI: one thread and one seed give identical weights; --resume continues a run
 * exactly (the way a killed run is resumed: the same command plus --resume).
 */
class ResumeAndDeterminismTest {
    private static Cli train(Path data, Path out, String... extra) {
        String[] base = {"train", "--model", "lenet-300-100", "--dataset", "mnist", "--data-dir", data.toString(),
                "--threads", "1", "--seed", "7", "--batch-size", "256", "--out", out.toString(), "--json",
                // a schedule that does not depend on --epochs, so a 1-epoch run is a prefix of a 2-epoch one
                "--schedule", "constant", "--warmup-steps", "0"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Cli r = Cli.run(args);
        assertEquals(0, r.exitCode(), r.err());
        return r;
    }

    @Test
    void sameSeedSameWeightsAndResumeMatchesAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path data = Cli.dataDir();
        Path a = dir.resolve("a.onnx");
        Path b = dir.resolve("b.onnx");
        train(data, a, "--epochs", "2");
        train(data, b, "--epochs", "2");
        assertWeightsEqual(Onnx.read(a), Onnx.read(b));

        Path ckpt = dir.resolve("run.ckpt");
        Path first = dir.resolve("first.onnx");
        Cli one = train(data, first, "--epochs", "1", "--checkpoint", ckpt.toString());
        assertEquals(1, (int) number(one.json(), "epochs"));
        assertTrue(Files.isRegularFile(ckpt));
        Path resumed = dir.resolve("resumed.onnx");
        Cli two = train(data, resumed, "--epochs", "2", "--resume", ckpt.toString());
        assertWeightsEqual(Onnx.read(a), Onnx.read(resumed));
        assertEquals(2, (int) number(two.json(), "epochs"), "a resumed run counts all epochs");
        assertEquals(1, (int) number(two.json(), "epochs_this_run"));
    }

    private static void assertWeightsEqual(Graph x, Graph y) {
        assertEquals(x.initializers().keySet(), y.initializers().keySet());
        x.initializers().forEach((name, t) -> assertArrayEquals(t.floats(), y.initializers().get(name).floats(), name));
    }
}
