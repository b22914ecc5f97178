package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime's com.microsoft quantized ops (QOperator models) and the QDQ groups Minnow fuses
 * into integer ops, on small generated graphs against ONNX Runtime itself: float inputs are
 * quantized, run through the op under test and dequantized, so equal floats mean equal codes.
 */
class QuantizedContribOrtTest {
    private static final OpRegistry OPS = OpRegistry.global();

    /** Random scale / zero point for a type; scales spread over decades so rounding ties vary. */
    private static void quantParams(Graph g, SplittableRandom r, String name, DType t) {
        g.addInitializer(name + "_s", Tensor.scalar((float) Math.exp(r.nextDouble(-5, -1))));
        int zp = t == DType.UINT8 ? r.nextInt(256) : r.nextInt(-128, 128);
        g.addInitializer(name + "_z", Tensor.wrap(t, Shape.scalar(), new byte[] {(byte) zp}));
    }

    private static Tensor random(SplittableRandom r, Shape s, double range) {
        Tensor t = Tensor.zeros(s);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return t;
    }

    private static void node(Graph g, String domain, String type, Attributes a, List<String> in, String out) {
        g.addNode(new Node(out + "_node", domain, OPS.create(domain, type, a), in, List.of(out)));
    }

    /** Runs g in Minnow and in ONNX Runtime; asserts the float output "y" is identical. */
    private static void sameAsOrt(Graph g, Map<String, Tensor> inputs, String what) throws Exception {
        g.validate();
        byte[] model = Onnx.toBytes(g);
        Tensor ours = InferenceExecutor.of(Onnx.fromBytes(model)).run(inputs).get("y");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> in = new HashMap<>();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions())) {
            for (var e : inputs.entrySet()) {
                long[] shape = new long[e.getValue().shape().rank()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().shape().dim(i);
                }
                in.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap(e.getValue().floats()), shape));
            }
            try (OrtSession.Result res = s.run(in)) {
                OnnxTensor out = (OnnxTensor) res.get(0);
                float[] theirs = new float[ours.size()];
                out.getFloatBuffer().get(theirs);
                int differ = 0;
                String first = "";
                for (int i = 0; i < theirs.length; i++) {
                    if (theirs[i] != ours.floats()[i]) {
                        if (differ++ == 0) {
                            first = " first at " + i + ": ORT " + theirs[i] + " vs Minnow " + ours.floats()[i];
                        }
                    }
                }
                assertEquals(0, differ, what + ": " + differ + " of " + theirs.length + " values differ;" + first);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** x (and x2) quantized -> body -> "q" dequantized as "y". */
    private static Graph graph(SplittableRandom r, DType t, Shape xs, Shape x2s, Consumer<Graph> body) {
        return graph(r, t, xs, x2s, xs, body);
    }

    private static Graph graph(SplittableRandom r, DType t, Shape xs, Shape x2s, Shape ys, Consumer<Graph> body) {
        Graph g = new Graph("q");
        g.addInput(new Value("x", TensorType.f32(xs.dims())));
        quantParams(g, r, "x", t);
        node(g, "", "QuantizeLinear", new Attributes(), List.of("x", "x_s", "x_z"), "xq");
        if (x2s != null) {
            g.addInput(new Value("x2", TensorType.f32(x2s.dims())));
            quantParams(g, r, "x2", t);
            node(g, "", "QuantizeLinear", new Attributes(), List.of("x2", "x2_s", "x2_z"), "x2q");
        }
        quantParams(g, r, "y", t);
        body.accept(g);
        node(g, "", "DequantizeLinear", new Attributes(), List.of("q", "y_s", "y_z"), "y");
        g.addOutput(new Value("y", TensorType.f32(ys.dims())));
        return g;
    }

    @Test
    void qlinearAddAndMulMatchOnnxRuntime() throws Exception {
        SplittableRandom r = new SplittableRandom(81);
        for (int trial = 0; trial < 24; trial++) {
            DType t = trial % 2 == 0 ? DType.UINT8 : DType.INT8;
            String type = trial % 4 < 2 ? "QLinearAdd" : "QLinearMul";
            Shape xs = Shape.of(1, 4, 5, 6);
            Shape x2s = trial % 3 == 0 ? Shape.of(4, 1, 1) : xs;
            Graph g = graph(r, t, xs, x2s, gr -> node(gr, OpRegistry.MICROSOFT_DOMAIN, type, new Attributes(),
                    List.of("xq", "x_s", "x_z", "x2q", "x2_s", "x2_z", "y_s", "y_z"), "q"));
            sameAsOrt(g, Map.of("x", random(r, xs, 8), "x2", random(r, x2s, 8)), type + " " + t + " trial " + trial);
        }
    }

    private static Tensor codes(SplittableRandom r, DType t, Shape s) {
        byte[] b = new byte[(int) s.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (t == DType.UINT8 ? r.nextInt(256) : r.nextInt(-127, 128));
        }
        return Tensor.wrap(t, s, b);
    }

    private static Tensor scales(SplittableRandom r, int n) {
        Tensor t = Tensor.zeros(n == 1 ? Shape.scalar() : Shape.of(n));
        for (int i = 0; i < n; i++) {
            t.floats()[i] = (float) Math.exp(r.nextDouble(-7, -3));
        }
        return t;
    }

    private static long count(InferenceExecutor ex, String type) {
        return ex.graph().nodes().stream().filter(n -> n.opType().equals(type)).count();
    }

    /** QDQ groups as a quantizer exports them: Minnow fuses them into integer ops, ONNX Runtime too. */
    @Test
    void fusedQdqGroupsMatchOnnxRuntime() throws Exception {
        SplittableRandom r = new SplittableRandom(82);
        for (int trial = 0; trial < 12; trial++) {
            int kind = trial % 4;
            boolean perChannel = trial % 8 >= 4;
            DType t = DType.UINT8;
            Shape xs = kind < 2 ? Shape.of(3, 40) : Shape.of(1, 4, 7, 7);
            Shape x2s = kind == 2 ? xs : null;
            int n = 24;
            String[] expect = {"QLinearMatMul", "QGemm", "QLinearAdd", "MaxPool"};
            Shape ys = kind == 0 || kind == 1 ? Shape.of(3, n) : kind == 2 ? xs : Shape.of(1, 4, 4, 4);
            Graph g = graph(r, t, xs, x2s, ys, gr -> {
                node(gr, "", "DequantizeLinear", new Attributes(), List.of("xq", "x_s", "x_z"), "xd");
                switch (kind) {
                    case 0 -> {
                        gr.addInitializer("w", codes(r, DType.INT8, Shape.of(40, n)));
                        gr.addInitializer("w_s", scales(r, perChannel ? n : 1));
                        gr.addInitializer("w_z", Tensor.zeros(DType.INT8, gr.initializers().get("w_s").shape()));
                        node(gr, "", "DequantizeLinear", Attributes.of("axis", 1L), List.of("w", "w_s", "w_z"), "wd");
                        node(gr, "", "MatMul", new Attributes(), List.of("xd", "wd"), "mm");
                        node(gr, "", "QuantizeLinear", new Attributes(), List.of("mm", "y_s", "y_z"), "q");
                    }
                    case 1 -> {
                        // the Relu is absorbed only when the output quantization clips at 0 anyway
                        gr.addInitializer("y_z", Tensor.wrap(DType.UINT8, Shape.scalar(), new byte[] {0}));
                        gr.addInitializer("w", codes(r, DType.INT8, Shape.of(n, 40)));
                        Tensor ws = scales(r, perChannel ? n : 1);
                        gr.addInitializer("w_s", ws);
                        gr.addInitializer("b", Tensor.ofInts(Shape.of(n), r.ints(n, -3000, 3000).toArray()));
                        gr.addInitializer("b_s", scales(r, perChannel ? n : 1));
                        // ONNX Runtime's QGemm wants b's zero point shaped as its scale
                        gr.addInitializer("w_z", Tensor.zeros(DType.INT8, ws.shape()));
                        node(gr, "", "DequantizeLinear", Attributes.of("axis", 0L), List.of("w", "w_s", "w_z"), "wd");
                        node(gr, "", "DequantizeLinear", Attributes.of("axis", 0L), List.of("b", "b_s"), "bd");
                        node(gr, "", "Gemm", Attributes.of("transB", 1L), List.of("xd", "wd", "bd"), "mm");
                        node(gr, "", "Relu", new Attributes(), List.of("mm"), "act");
                        node(gr, "", "QuantizeLinear", new Attributes(), List.of("act", "y_s", "y_z"), "q");
                    }
                    case 2 -> {
                        node(gr, "", "DequantizeLinear", new Attributes(), List.of("x2q", "x2_s", "x2_z"), "x2d");
                        node(gr, "", "Add", new Attributes(), List.of("xd", "x2d"), "sum");
                        node(gr, "", "QuantizeLinear", new Attributes(), List.of("sum", "y_s", "y_z"), "q");
                    }
                    default -> {
                        node(gr, "", "MaxPool", Attributes.of("kernel_shape", new long[] {3, 3}, "pads",
                                new long[] {1, 1, 1, 1}, "strides", new long[] {2, 2}), List.of("xd"), "mp");
                        node(gr, "", "QuantizeLinear", new Attributes(), List.of("mp", "x_s", "x_z"), "q");
                    }
                }
            });
            Map<String, Tensor> feeds = x2s == null ? Map.of("x", random(r, xs, 4))
                    : Map.of("x", random(r, xs, 4), "x2", random(r, x2s, 4));
            InferenceExecutor ex = InferenceExecutor.of(Onnx.fromBytes(Onnx.toBytes(g.validate())));
            assertEquals(1, count(ex, expect[kind]), expect[kind] + " after fusion: " + ex.graph().nodes());
            sameAsOrt(g, feeds, expect[kind] + " trial " + trial);
        }
    }

    @Test
    void qlinearConcatAndLeakyReluMatchOnnxRuntime() throws Exception {
        SplittableRandom r = new SplittableRandom(83);
        for (int trial = 0; trial < 12; trial++) {
            DType t = trial % 2 == 0 ? DType.UINT8 : DType.INT8;
            Shape xs = Shape.of(1, 4, 5, 6);
            if (trial % 3 == 2) {
                double alpha = 0.1 + 0.05 * trial;
                Graph g = graph(r, t, xs, null, gr -> node(gr, OpRegistry.MICROSOFT_DOMAIN, "QLinearLeakyRelu",
                        Attributes.of("alpha", alpha), List.of("xq", "x_s", "x_z", "y_s", "y_z"), "q"));
                sameAsOrt(g, Map.of("x", random(r, xs, 6)), "QLinearLeakyRelu " + t + " trial " + trial);
                continue;
            }
            Shape x2s = Shape.of(1, 3, 5, 6);
            // the second input's parameters equal the output's on odd trials: copied, not requantized
            boolean copy = trial % 3 == 1;
            Graph g = graph(r, t, xs, x2s, Shape.of(1, 7, 5, 6), gr -> node(gr, OpRegistry.MICROSOFT_DOMAIN,
                    "QLinearConcat", Attributes.of("axis", 1L), List.of("y_s", "y_z", "xq", "x_s", "x_z", "x2q",
                            copy ? "y_s" : "x2_s", copy ? "y_z" : "x2_z"), "q"));
            sameAsOrt(g, Map.of("x", random(r, xs, 6), "x2", random(r, x2s, 6)), "QLinearConcat " + t + " trial " + trial);
        }
    }
}
