package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * `minnow qat` as a user calls it (LeNet-5 of seeded weights on MNIST, no training epochs: the
 * file, keys and sizes are the point), and its QDQ output run by ONNX Runtime and by Minnow.
 */
class QatCommandTest {

    @Test
    void w4a4LsqExportRunsInOrtAndMinnowAlike() throws Exception {
        Path out = Files.createTempDirectory("qat").resolve("q.onnx");
        Cli r = Cli.run("qat", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(), "--weight-bits", "4",
                "--act-bits", "4", "--method", "lsq", "--epochs", "0", "--calib-batches", "2", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        long before = (long) number(j, "size_bytes_before");
        long after = (long) number(j, "size_bytes_after");
        // 431,080 float weights: 4 bits each packed plus per-channel steps and int32 biases
        assertTrue(after < before / 7 && after > before / 9, before + " -> " + after);
        for (String k : new String[] {"top1_before", "top1_after"}) {
            double v = number(j, k);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        assertTrue(j.contains("\"weight_bits\":4"), j);
        agreeWithOrt(out, 0.02);
    }

    @Test
    void binaryWeightsExportAsOneBitCodes() throws Exception {
        Path out = Files.createTempDirectory("qat").resolve("b.onnx");
        Cli r = Cli.run("qat", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(), "--binary-weights",
                "--act-bits", "8", "--epochs", "0", "--calib-batches", "1", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        long before = (long) number(r.json(), "size_bytes_before");
        long after = (long) number(r.json(), "size_bytes_after");
        assertTrue(after < before / 25, before + " -> " + after);
        Graph g = Onnx.read(out);
        long codes = g.initializers().entrySet().stream().filter(e -> e.getKey().endsWith("weight_quantized")).mapToLong(e -> {
            for (byte b : e.getValue().bytes()) {
                assertTrue(b == 1 || b == -1, e.getKey() + " holds " + b);
            }
            return e.getValue().size();
        }).sum();
        assertTrue(codes > 400_000, "every weight is a +-1 code: " + codes);
        agreeWithOrt(out, 0.02);
    }

    @Test
    void badFlags() {
        Cli r = Cli.run("qat", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(), "--binary-weights",
                "--ternary-weights", "--out", "/tmp/never.onnx");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--binary-weights"), r.err());
        Cli bits = Cli.run("qat", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(), "--weight-bits", "12",
                "--out", "/tmp/never.onnx");
        assertEquals(2, bits.exitCode());
        assertTrue(bits.err().contains("--weight-bits"), bits.err());
    }

    /** Minnow (integer QLinearConv through QdqFusion) and ONNX Runtime give the same logits on random images. */
    static void agreeWithOrt(Path model, double relative) throws Exception {
        Graph g = Onnx.read(model);
        InferenceExecutor minnow = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        SplittableRandom rnd = new SplittableRandom(4);
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(model), g.inputs().getFirst().name(), 1)) {
            int sameTop1 = 0;
            int n = 16;
            for (int i = 0; i < n; i++) {
                float[] x = new float[28 * 28];
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) (rnd.nextDouble() * 3 - 0.5);
                }
                Tensor in = Tensor.of(Shape.of(1, 1, 28, 28), x);
                float[] a = minnow.run(in).floats();
                float[] b = ort.run(in);
                double scale = 0;
                double worst = 0;
                for (int k = 0; k < a.length; k++) {
                    scale = Math.max(scale, Math.abs(b[k]));
                    worst = Math.max(worst, Math.abs(a[k] - b[k]));
                }
                assertTrue(worst <= relative * scale, "image " + i + ": Minnow vs ORT differ by " + worst + " (scale " + scale + ")");
                sameTop1 += argmax(a) == argmax(b) ? 1 : 0;
            }
            assertTrue(sameTop1 >= n - 1, sameTop1 + " of " + n + " top-1 agree");
        }
    }

    static int argmax(float[] v) {
        int m = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[m]) {
                m = i;
            }
        }
        return m;
    }
}
