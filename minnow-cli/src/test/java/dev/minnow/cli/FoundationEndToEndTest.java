package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation issue's floor, as a user runs it: train LeNet-5 for one epoch on the real
 * MNIST, evaluate the saved file, inspect it, and check ONNX Runtime computes the same logits.
 */
class FoundationEndToEndTest {
    static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void trainEvalInfoAndOnnxRuntimeAgree(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("lenet5.onnx");
        String data = Cli.dataDir().toString();
        Cli train = Cli.run("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", data, "--epochs", "1",
                "--seed", "1", "--threads", "2", "--out", model.toString(), "--json");
        assertEquals(0, train.exitCode(), train.err());
        String tj = train.json();
        double top1 = number(tj, "test_top1");
        assertTrue(top1 >= 0.985, "LeNet-5 after 1 epoch: test top-1 " + top1);
        assertTrue(number(tj, "train_images_per_second") > 0);
        assertEquals(1, (int) number(tj, "epochs"));
        assertTrue(Files.isRegularFile(model));

        Cli eval = Cli.run("eval", model.toString(), "--dataset", "mnist", "--data-dir", data, "--json");
        assertEquals(0, eval.exitCode(), eval.err());
        assertEquals(top1, number(eval.json(), "top1"), 1e-9, "eval of the saved file reproduces the training's figure");
        assertEquals(10000, (int) number(eval.json(), "samples"));
        double top5 = number(eval.json(), "top5");
        assertTrue(top5 >= top1 && top5 <= 1);

        Cli info = Cli.run("info", model.toString(), "--json");
        assertEquals(0, info.exitCode(), info.err());
        assertEquals(431080, (long) number(info.json(), "params"));
        assertEquals(2_293_000, (long) number(info.json(), "macs"), 2_000, "conv and fc MACs (plus small element-wise terms)");
        assertTrue(info.json().contains("\"output_shape\""));

        // ONNX Runtime runs the saved file and agrees with Minnow on real test images
        Graph g = Onnx.read(model);
        DatasetSplit mnist = Datasets.load("mnist", Path.of(data));
        int n = 16;
        float[] x = new float[n * 784];
        for (int i = 0; i < n; i++) {
            mnist.test().copySample(i, x, i * 784);
        }
        float mean = mnist.normalization().mean()[0];
        float std = mnist.normalization().std()[0];
        for (int i = 0; i < x.length; i++) {
            x[i] = (x[i] - mean) / std;
        }
        float[] ours = new TrainingExecutor(g).predict(Tensor.of(Shape.of(n, 1, 28, 28), x.clone())).floats();
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(model), g.inputs().getFirst().name(), 2)) {
            float[] theirs = ort.run(x, new long[] {n, 1, 28, 28});
            assertEquals(ours.length, theirs.length);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(theirs[i], ours[i], 1e-4 * Math.max(1, Math.abs(theirs[i])), "logit " + i);
            }
        }
    }
}
