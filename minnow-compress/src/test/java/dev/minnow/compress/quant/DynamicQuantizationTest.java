package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.backend.Backend;
import dev.minnow.onnx.backend.ModelRunner;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Dynamic quantization: the rewritten graph runs in Minnow and in ONNX Runtime to the same
 * outputs, close to the float model, with weights stored as int8 codes on the per-channel grid.
 */
class DynamicQuantizationTest {

    private static Tensor randomInput(Shape s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[(int) s.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextDouble();
        }
        return Tensor.of(s, a);
    }

    private static float maxAbs(Tensor t) {
        float m = 0;
        for (float v : t.floats()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static float maxAbsDiff(Tensor a, Tensor b) {
        assertEquals(a.shape(), b.shape());
        float d = 0;
        for (int i = 0; i < a.size(); i++) {
            d = Math.max(d, Math.abs(a.floats()[i] - b.floats()[i]));
        }
        return d;
    }

    /** Runs float, quantized-in-Minnow and quantized-in-ONNX-Runtime; checks agreement. */
    private static void check(Graph g, QuantScheme scheme, Shape in, int expectQuantized, double floatTolerance) {
        PassResult r = new DynamicQuantization(scheme).run(g);
        assertEquals(expectQuantized, r.records().getFirst().count("quantized"), r.records().toString());
        Graph q = Onnx.fromBytes(Onnx.toBytes(r.graph())); // what a user's file holds
        for (Node n : q.nodes()) {
            assertTrue(!List.of("MatMul", "Gemm", "Conv").contains(n.opType()) || expectQuantized == 0,
                    "no float layer left: " + n);
        }
        Tensor x = randomInput(in, 5);
        try (ModelRunner f = Backend.MINNOW.open(g, ExecutionOptions.DEFAULT, 1);
             ModelRunner m = Backend.MINNOW.open(q, ExecutionOptions.DEFAULT, 1);
             ModelRunner o = Backend.ORT.open(q, ExecutionOptions.DEFAULT, 1)) {
            Tensor yf = f.predict(x);
            Tensor ym = m.predict(x);
            Tensor yo = o.predict(x);
            float scale = maxAbs(yf);
            assertTrue(scale > 0);
            // same integer arithmetic; only the float rescale's rounding (and ORT's fused kernel's order) differ
            assertTrue(maxAbsDiff(ym, yo) <= 1e-5 * scale + 1e-6, "Minnow vs ONNX Runtime: " + maxAbsDiff(ym, yo));
            assertTrue(maxAbsDiff(ym, yf) <= floatTolerance * scale, "quantized vs float: " + maxAbsDiff(ym, yf)
                    + " of " + scale);
            assertTrue(maxAbsDiff(ym, yf) > 0, "the model was quantized, so outputs moved a little");
        }
    }

    @Test
    void lenet300OnGemmAgreesWithOnnxRuntimeAndStaysCloseToFloat() {
        check(Zoo.build("lenet-300-100", 1), QuantScheme.weights(8), Shape.of(8, 1, 28, 28), 3, 0.05);
        check(Zoo.build("lenet-300-100", 2), QuantScheme.weights(8).withPerChannel(false), Shape.of(3, 1, 28, 28), 3, 0.05);
    }

    @Test
    void convolutionsBecomeConvIntegerWithUint8WeightsOnnxRuntimeRuns() {
        check(Zoo.build("lenet5", 1), QuantScheme.weights(8), Shape.of(2, 1, 28, 28), 4, 0.05);
    }

    @Test
    void matMulWithTransposedGemmAlphaBetaAndSharedInput() {
        // two MatMuls read one input (one DynamicQuantizeLinear serves both); a Gemm with transB, alpha and beta
        GraphBuilder b = GraphBuilder.named("mm", 4);
        var x = b.input("x", Shape.of(-1, 16));
        b.output("y", b.dense(x, 12));
        Graph g = b.build();
        SplittableRandom r = new SplittableRandom(9);
        float[] w1 = new float[16 * 6];
        float[] w2 = new float[16 * 6];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = (float) r.nextGaussian();
            w2[i] = (float) r.nextGaussian() * 0.1f;
        }
        Graph mm = dev.minnow.onnx.Onnx.fromBytes(Onnx.toBytes(g));
        var e = new dev.minnow.graph.GraphEditor(mm);
        String wa = e.addInitializer("wa", Tensor.of(Shape.of(16, 6), w1));
        String wb = e.addInitializer("wb", Tensor.of(Shape.of(16, 6), w2));
        Node a = e.addNode("mma", dev.minnow.graph.OpRegistry.global().create("MatMul", dev.minnow.graph.Attributes.of()),
                List.of("x", wa), 1);
        Node c = e.addNode("mmb", dev.minnow.graph.OpRegistry.global().create("MatMul", dev.minnow.graph.Attributes.of()),
                List.of("x", wb), 1);
        Node gemm = e.graph().nodes().stream().filter(n -> n.opType().equals("Gemm")).findFirst().orElseThrow();
        e.replaceNode(gemm, gemm.withOp(dev.minnow.graph.OpRegistry.global().create("Gemm",
                dev.minnow.graph.Attributes.of("transB", 1L, "alpha", 0.5, "beta", 2.0))));
        Node sum = e.addNode("sum", dev.minnow.graph.OpRegistry.global().create("Add", dev.minnow.graph.Attributes.of()),
                List.of(a.output(0), c.output(0)), 1);
        int outputsBefore = e.graph().outputs().size();
        e.graph().addOutput(new dev.minnow.graph.Value(sum.output(0), null));
        Graph built = e.commit();
        PassResult res = new DynamicQuantization(QuantScheme.weights(8)).run(built);
        long dql = res.graph().nodes().stream().filter(n -> n.opType().equals("DynamicQuantizeLinear")).count();
        assertEquals(1, dql, "one DynamicQuantizeLinear per activation");
        Tensor in = randomInput(Shape.of(5, 16), 3);
        Graph q = Onnx.fromBytes(Onnx.toBytes(res.graph()));
        try (ModelRunner f = Backend.MINNOW.open(built, ExecutionOptions.DEFAULT, 1);
             ModelRunner m = Backend.MINNOW.open(q, ExecutionOptions.DEFAULT, 1);
             ModelRunner o = Backend.ORT.open(q, ExecutionOptions.DEFAULT, 1)) {
            var feeds = java.util.Map.of("x", in);
            var yf = f.run(feeds);
            var ym = m.run(feeds);
            var yo = o.run(feeds);
            assertEquals(outputsBefore + 1, yf.size());
            for (String k : yf.keySet()) {
                float s = maxAbs(yf.get(k));
                assertTrue(maxAbsDiff(ym.get(k), yo.get(k)) <= 1e-5 * s + 1e-6, k);
                assertTrue(maxAbsDiff(ym.get(k), yf.get(k)) <= 0.03 * s, k + " " + maxAbsDiff(ym.get(k), yf.get(k)));
            }
        }
    }

    @Test
    void weightsAreInt8CodesOnThePerChannelGrid() {
        Graph g = Zoo.build("lenet-300-100", 1);
        Graph q = new DynamicQuantization(QuantScheme.weights(8)).run(g).graph();
        Node mi = q.nodes().stream().filter(n -> n.opType().equals("MatMulInteger")).findFirst().orElseThrow();
        Tensor codes = q.initializers().get(mi.input(1));
        assertEquals(DType.INT8, codes.dtype());
        int n = codes.shape().dim(1);
        boolean[] reaches127 = new boolean[n];
        for (int i = 0; i < codes.size(); i++) {
            int v = codes.bytes()[i];
            assertTrue(v >= -127 && v <= 127, "narrow range");
            reaches127[i % n] |= Math.abs(v) == 127;
        }
        for (int c = 0; c < n; c++) {
            assertTrue(reaches127[c], "per channel: every column's largest weight maps to +-127 (column " + c + ")");
        }
    }

    @Test
    void unsignedOrWideWeightsAreRefused() {
        assertThrows(InvalidInputException.class, () -> new DynamicQuantization(QuantScheme.weights(8).withSigned(false)));
        assertThrows(InvalidInputException.class, () -> new DynamicQuantization(QuantScheme.weights(12)));
    }
}
