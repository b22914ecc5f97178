package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.quant.PostTrainingQuantizer;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * `minnow quantize` as a user calls it, and the QDQ models it writes run in ONNX Runtime with the
 * same results as in Minnow (zoo models with seeded weights: the accuracies are not the point).
 */
class QuantizeCommandTest {
    @Test
    void lenet5QuantizesWithKeysSizesAndTable() throws Exception {
        Path dir = Files.createTempDirectory("quant");
        Path out = dir.resolve("q.onnx");
        Path png = dir.resolve("w.png");
        Cli r = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "64", "--method", "percentile", "--weight-bits", "4", "--out", out.toString(),
                "--histograms", png.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        for (String k : new String[] {"top1_before", "top1_after"}) {
            double v = number(j, k);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        // 4-bit weights counted packed: about an eighth of the float size
        double ratio = number(j, "size_bytes_after") / number(j, "size_bytes_before");
        assertTrue(ratio > 0.12 && ratio < 0.14, j);
        assertTrue(j.contains("\"layers\":[{\"name\":\"conv1\",\"op\":\"Conv\""), j);
        assertTrue(j.contains("\"float_ops\":[]"), j);
        Graph q = Onnx.read(out);
        assertTrue(q.nodes().stream().anyMatch(n -> n.opType().equals("QuantizeLinear")));
        for (Tensor t : q.initializers().values()) {
            if (t.dtype() == dev.minnow.tensor.DType.INT8 && t.size() > 100) {
                for (byte b : t.bytes()) {
                    assertTrue(b >= -7 && b <= 7, "4-bit codes in int8 storage");
                }
            }
        }
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G');

        Cli table = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "16", "--no-eval", "--out", dir.resolve("q2.onnx").toString());
        assertEquals(0, table.exitCode(), table.err());
        assertTrue(table.out().contains("weight SQNR") && table.out().contains("conv2"), table.out());
        assertTrue(!table.out().contains("Top-1"), "no accuracy with --no-eval");
        Cli noEval = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "16", "--no-eval", "--out", dir.resolve("q3.onnx").toString(), "--json");
        assertTrue(noEval.json().contains("\"top1_after\":null"), noEval.json());
    }

    /**
     * A size budget of 15% of the float weights lies between all-4-bit (12.5%) and all-8-bit (25%),
     * so the allocation must mix widths; the packed size counts each layer at its own width, the
     * 4-bit layers' codes stay in [-7, 7], and the chosen widths keep the budget.
     */
    @Test
    void mixedPrecisionMixesWidthsUnderTheBudget() throws Exception {
        Path dir = Files.createTempDirectory("quant");
        Path out = dir.resolve("m.onnx");
        Cli r = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "32", "--no-eval", "--mixed-bits", "4,8", "--size-budget", "0.15",
                "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertTrue(j.contains("\"mixed_precision\":{\"unit\":\"bytes\""), j);
        assertTrue(j.contains("\"weight_bits\":4") && j.contains("\"weight_bits\":8"), "both widths chosen: " + j);
        Graph g = Zoo.build("lenet5", 1);
        long floatBytes = 0;
        for (Node n : g.nodes()) {
            if (List.of("Conv", "Gemm").contains(n.opType())) {
                floatBytes += 4L * g.initializers().get(n.input(1)).size();
            }
        }
        assertTrue(number(j, "cost") <= 0.15 * floatBytes + 1, "cost " + number(j, "cost") + " of " + floatBytes);
        Cli eight = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "32", "--no-eval", "--out", dir.resolve("e.onnx").toString(), "--json");
        Cli four = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "32", "--no-eval", "--weight-bits", "4", "--out", dir.resolve("f.onnx").toString(), "--json");
        double mixedSize = number(j, "size_bytes_after");
        assertTrue(mixedSize < number(eight.json(), "size_bytes_after") && mixedSize > number(four.json(), "size_bytes_after"),
                "between the 4-bit and 8-bit sizes: " + mixedSize);
        int small = 0;
        for (Tensor t : Onnx.read(out).initializers().values()) {
            if (t.dtype() == dev.minnow.tensor.DType.INT8 && t.size() > 100) {
                int max = 0;
                for (byte b : t.bytes()) {
                    max = Math.max(max, Math.abs(b));
                }
                small += max <= 7 ? 1 : 0;
            }
        }
        assertTrue(small >= 1, "some layer's codes are 4-bit");

        Cli noBudget = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "8", "--no-eval", "--mixed-bits", "4,8", "--out", out.toString());
        assertEquals(2, noBudget.exitCode());
        assertTrue(noBudget.err().contains("--size-budget"), noBudget.err());
        Cli tooSmall = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "8", "--no-eval", "--mixed-bits", "4,8", "--size-budget", "0.05", "--out", out.toString());
        assertEquals(2, tooSmall.exitCode(), tooSmall.err());
        assertTrue(tooSmall.err().contains("cannot be met"), tooSmall.err());
    }

    /** --cle hands the quantizer a batch-norm-folded graph; the size before is still the model's as given. */
    @Test
    void sizeBeforeIsTheGivenModelsWithCrossLayerEqualization() throws Exception {
        Path dir = Files.createTempDirectory("quant");
        long given = 0;
        for (Tensor t : Zoo.build("resnet20", 1).initializers().values()) {
            given += (long) t.size() * t.dtype().bytes;
        }
        for (String cle : new String[] {"--per-channel", "--cle"}) {
            Cli r = Cli.run("quantize", "resnet20", "--dataset", "cifar10", "--data-dir", Cli.dataDir().toString(),
                    "--calib-samples", "8", "--no-eval", cle, "--out", dir.resolve("r.onnx").toString(), "--json");
            assertEquals(0, r.exitCode(), r.err());
            assertEquals(given, (long) number(r.json(), "size_bytes_before"), cle);
        }
    }

    @Test
    void badCalibrationInputExitsWithTwo() throws Exception {
        Path out = Files.createTempDirectory("quant").resolve("q.onnx");
        Cli zero = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "0", "--out", out.toString());
        assertEquals(2, zero.exitCode());
        assertTrue(zero.err().contains("--calib-samples"), zero.err());
        Cli mismatch = Cli.run("quantize", "lenet5", "--dataset", "cifar10", "--data-dir", Cli.dataDir().toString(),
                "--calib-samples", "8", "--no-eval", "--out", out.toString());
        assertEquals(2, mismatch.exitCode(), mismatch.err());
        assertTrue(mismatch.err().contains("shape"), mismatch.err());
        Cli method = Cli.run("quantize", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--method", "kl", "--out", out.toString());
        assertEquals(2, method.exitCode());
        assertTrue(!Files.exists(out), "nothing written on bad input");
    }

    @Test
    void quantizedModelsAgreeWithOnnxRuntime() {
        for (String name : List.of("lenet5", "resnet20")) {
            Graph g = Zoo.build(name, 1);
            int[] dims = g.inputs().getFirst().type().shape().dims().clone();
            List<Tensor> calib = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                calib.add(random(4, dims, 10 + b));
            }
            PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(g, calib,
                    PostTrainingQuantizer.Settings.int8("minmax"));
            Graph q = r.graph();
            Tensor x = random(8, dims, 99);
            float[] minnow = InferenceExecutor.of(q).run(x).floats();
            float[] ref = InferenceExecutor.of(g).run(x).floats();
            float[] ort;
            try (OrtRunner runner = new OrtRunner(Onnx.toBytes(q), q.inputs().getFirst().name(), 1)) {
                ort = runner.run(x);
            }
            // the logits come from a float Gemm on dequantized inputs: one input step everywhere bounds them
            Node fc = q.producer(q.outputs().getFirst().name());
            Node xdq = q.producer(fc.input(0));
            double step = q.initializers().get(xdq.input(1)).getDouble(0);
            Node wdq = q.producer(fc.input(1));
            double rowSum = maxRowAbsSum(q, wdq);
            double maxDiff = 0;
            for (int i = 0; i < ort.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ort[i] - minnow[i]));
            }
            assertTrue(maxDiff <= step * rowSum, name + ": Minnow vs ONNX Runtime differ by " + maxDiff
                    + ", more than one input step (" + step * rowSum + ")");
            double sqnr = PostTrainingQuantizer.sqnrDb(ref, ort);
            assertTrue(sqnr > 20, name + ": ONNX Runtime's int8 result vs float, SQNR " + sqnr);
        }
    }

    private static double maxRowAbsSum(Graph q, Node wdq) {
        Tensor w = q.initializers().get(wdq.input(0));
        Tensor s = q.initializers().get(wdq.input(1));
        int rows = w.shape().dim(0);
        int per = w.size() / rows;
        double best = 0;
        for (int o = 0; o < rows; o++) {
            double sum = 0;
            for (int k = 0; k < per; k++) {
                sum += Math.abs(w.bytes()[o * per + k] * s.getDouble(s.size() == 1 ? 0 : o));
            }
            best = Math.max(best, sum);
        }
        return best;
    }

    private static Tensor random(int n, int[] dims, long seed) {
        int[] d = dims.clone();
        d[0] = n;
        Shape s = Shape.of(d);
        float[] v = new float[(int) s.size()];
        Random r = new Random(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Tensor.of(s, v);
    }
}
