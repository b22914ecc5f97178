package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Fine-tuning an imported model: train uses the preprocessing recorded in the model (the
 * normalization that reaches the data loader), the same options as eval override it, and the
 * saved model records what was used.
 */
class TrainPreprocessingTest {
    /** An "imported" model that expects raw 0..255 pixels with mean 33 and std 78 (not MNIST's 0.1307 / 0.3081). */
    private static Path importedModel(Path dir) {
        Graph g = Zoo.build("lenet-300-100", 3);
        g.metadata().putAll(new Preprocessing(255, new double[] {33}, new double[] {78}, false, false, 0, false).toMetadata());
        Path p = dir.resolve("imported.onnx");
        Onnx.write(g, p);
        return p;
    }

    private static Normalization reachingTheLoader(Path model, String... options) {
        TrainCommand cmd = new TrainCommand();
        String[] base = {"--model", model.toString(), "--dataset", "mnist"};
        String[] args = new String[base.length + options.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(options, 0, args, base.length, options.length);
        new CommandLine(cmd).parseArgs(args);
        Graph g = Models.load(model.toString(), 1);
        DatasetSplit mnist = Datasets.load("mnist", Cli.dataDir());
        return cmd.preprocessing(g, mnist).forTraining(mnist).normalization();
    }

    @Test
    void theModelsRecordedNormalizationReachesTheLoaderAndOptionsOverrideIt(@TempDir Path dir) {
        Path model = importedModel(dir);
        Normalization recorded = reachingTheLoader(model);
        assertArrayEquals(new float[] {(float) (33 / 255.0)}, recorded.mean());
        assertArrayEquals(new float[] {(float) (78 / 255.0)}, recorded.std());
        assertNotEquals(Datasets.load("mnist", Cli.dataDir()).normalization(), recorded);

        Normalization overridden = reachingTheLoader(model, "--mean", "10", "--std", "20");
        assertArrayEquals(new float[] {(float) (10 / 255.0)}, overridden.mean());
        assertArrayEquals(new float[] {(float) (20 / 255.0)}, overridden.std());
        Normalization rescaled = reachingTheLoader(model, "--scale", "1", "--mean", "0.5", "--std", "0.25");
        assertArrayEquals(new float[] {0.5f}, rescaled.mean());
        assertArrayEquals(new float[] {0.25f}, rescaled.std());

        // a zoo model records nothing: the dataset's own normalization, as before
        TrainCommand cmd = new TrainCommand();
        new CommandLine(cmd).parseArgs("--model", "lenet-300-100", "--dataset", "mnist");
        DatasetSplit mnist = Datasets.load("mnist", Cli.dataDir());
        assertEquals(mnist.normalization(),
                cmd.preprocessing(Zoo.build("lenet-300-100", 1), mnist).forTraining(mnist).normalization());
    }

    @Test
    void fineTuningThroughTheCliKeepsTheModelsPreprocessing(@TempDir Path dir) {
        Path model = importedModel(dir);
        Path out = dir.resolve("tuned.onnx");
        Cli r = Cli.run("train", "--model", model.toString(), "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--epochs", "1", "--batch-size", "256", "--threads", "2", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(number(r.json(), "test_top1") > 0.85, r.json());
        Map<String, String> md = Onnx.read(out).metadata();
        assertEquals("255.0", md.get("minnow.preprocess.scale"));
        assertEquals("33.0", md.get("minnow.preprocess.mean"));
        assertEquals("78.0", md.get("minnow.preprocess.std"));
    }
}
