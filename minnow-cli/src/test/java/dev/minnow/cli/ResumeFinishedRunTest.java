package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.train.Checkpoint;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train --resume` with a checkpoint that already holds --epochs epochs: a user error, nothing written. */
class ResumeFinishedRunTest {
    @Test
    void resumingPastTheLastEpochSaysSoAndWritesNothing(@TempDir Path dir) {
        Graph g = Zoo.build("lenet-300-100", 7);
        Path ckpt = dir.resolve("done.ckpt");
        // a checkpoint as a finished 3-epoch run leaves it (the weights need not be trained for this)
        new Checkpoint(g.floatInitializers(), "nesterov", Map.of(), 7, 3, 700, "test").write(ckpt);
        Path out = dir.resolve("m.onnx");
        for (String epochs : new String[] {"3", "2"}) {
            Cli r = Cli.run("train", "--model", "lenet-300-100", "--dataset", "mnist", "--data-dir",
                    Cli.dataDir().toString(), "--epochs", epochs, "--resume", ckpt.toString(), "--out", out.toString());
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains("already completed 3 epochs"), r.err());
            assertTrue(r.err().contains("--epochs above 3"), r.err());
            assertFalse(r.err().contains("\tat "), r.err());
            assertFalse(Files.exists(out), "no model is written when nothing was trained");
        }
    }
}
