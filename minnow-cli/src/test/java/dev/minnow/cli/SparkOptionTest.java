package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** minnow-cli does not carry Spark: --spark says how to get it (the Spark runs are tested in minnow-spark). */
class SparkOptionTest {
    @Test
    void sensitivityWithSparkButWithoutTheModuleSaysHowToGetIt() {
        Cli r = Cli.run("sensitivity", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--samples", "20", "--sparsities", "0.5", "--spark", "local[2]");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("minnow-spark") && r.err().contains("MINNOW_SPARK=1"), r.err());
    }

    @Test
    void compressTakesSparkInGoalModeOnlyAndFailsBeforeAnyWorkWithoutTheModule() throws Exception {
        Path out = Files.createTempDirectory("spark-opt");
        Cli plain = Cli.run("compress", "lenet5", "--dataset", "mnist", "--recipe", "deep-compression", "--out",
                out.toString(), "--spark", "local[2]");
        assertEquals(2, plain.exitCode(), plain.err());
        assertTrue(plain.err().contains("--spark runs goal mode"), plain.err());
        Cli goal = Cli.run("compress", "lenet5", "--dataset", "mnist", "--recipe", "deep-compression", "--out",
                out.toString(), "--max-accuracy-drop", "0.01", "--target-size", "30x", "--spark", "local[2]");
        assertEquals(2, goal.exitCode(), goal.err());
        assertTrue(goal.err().contains("MINNOW_SPARK=1"), goal.err());
        assertTrue(!goal.err().contains("training") && !Files.exists(out.resolve("base.onnx")), "no work before the check");
    }
}
