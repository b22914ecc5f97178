package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** QDQ Conv groups fused into QLinearConv against the node-by-node float path of the same graph. */
class QdqFusionTest {

    @Test
    void fusedGroupAgreesWithFloatPathUpToOneStep() {
        Graph g = qdqConv(0);
        InferenceExecutor ex = InferenceExecutor.of(g);
        assertEquals(1, ex.graph().nodes().stream().filter(n -> n.opType().equals("QLinearConv")).count());
        assertEquals(0, ex.graph().nodes().stream().filter(n -> n.opType().equals("Relu")).count(),
                "Relu before a uint8 quantization with zero point 0 changes nothing and is absorbed");
        int same = 0;
        int total = 0;
        SplittableRandom rnd = new SplittableRandom(3);
        for (int rep = 0; rep < 5; rep++) {
            Tensor x = input(rnd);
            byte[] fused = ex.run(x).bytes();
            byte[] plain = plain(g, x).bytes();
            for (int i = 0; i < fused.length; i++) {
                int d = Math.abs((fused[i] & 0xff) - (plain[i] & 0xff));
                assertTrue(d <= 1, "fused and float paths differ by " + d + " steps at " + i);
                same += d == 0 ? 1 : 0;
                total++;
            }
        }
        assertTrue(same >= 0.97 * total, same + " of " + total + " equal");
    }

    /**
     * ONNX Runtime's requantization by hand: multiplier float(float(0.1f * 0.3f) / 0.7f) =
     * 0.042857144f, and 105 * that rounds to exactly 4.5f in float32, so round-half-even gives 4
     * (computed exactly, 105 * 0.1 * 0.3 / 0.7 is 4.5000003 and would give 5).
     */
    @Test
    void qlinearConvRequantizesInFloat32LikeOnnxRuntime() {
        Tensor x = Tensor.zeros(DType.UINT8, Shape.of(1, 1, 1, 1));
        x.bytes()[0] = (byte) 105;
        Tensor w = Tensor.zeros(DType.INT8, Shape.of(1, 1, 1, 1));
        w.bytes()[0] = 1;
        Tensor y = OpRegistry.global().create("QLinearConv", Attributes.of()).forward(OpContext.inference(),
                new Tensor[] {x, Tensor.scalar(0.1f), u8(0), w, Tensor.scalar(0.3f), null, Tensor.scalar(0.7f), u8(0)})[0];
        assertEquals(4, y.bytes()[0] & 0xff);
    }

    /**
     * By hand: x = {1, 2, 3, 5} with x_scale 0.5, zero point 1: integer sum 11 - 4 = 7; multiplier
     * 0.5 / 4 / 0.25 = 0.5; 3.5 rounds half to even to 4; plus y_zero_point 10 gives 14. Both the
     * GlobalAveragePool and the whole-input AveragePool group fuse to that.
     */
    @Test
    void averagePoolGroupRunsInIntegers() {
        for (String pool : List.of("GlobalAveragePool", "AveragePool")) {
            Graph g = new Graph("pool");
            g.addInput(new Value("x", new TensorType(DType.UINT8, Shape.of(1, 1, 2, 2))));
            g.addInitializer("xs", Tensor.scalar(0.5f));
            g.addInitializer("xzp", u8(1));
            g.addInitializer("ys", Tensor.scalar(0.25f));
            g.addInitializer("yzp", u8(10));
            g.addNode(node("DequantizeLinear", Attributes.of(), List.of("x", "xs", "xzp"), "xf"));
            g.addNode(node(pool, pool.equals("AveragePool") ? Attributes.of("kernel_shape", new long[] {2, 2})
                    : Attributes.of(), List.of("xf"), "p"));
            g.addNode(node("QuantizeLinear", Attributes.of(), List.of("p", "ys", "yzp"), "y"));
            g.addOutput(new Value("y", new TensorType(DType.UINT8, Shape.of(1, 1, 1, 1))));
            g.validate();
            dev.minnow.graph.pass.PassRecord rec = new QdqFusion().run(g).record();
            assertEquals(List.of(1L, 0L, 1L), List.of(rec.count("pools"), rec.count("convs"), rec.count("dequantize_removed")), pool);
            InferenceExecutor ex = InferenceExecutor.of(g);
            assertEquals(List.of("QLinearGlobalAveragePool"), ex.graph().nodes().stream().map(Node::opType).toList(), pool);
            Tensor x = Tensor.zeros(DType.UINT8, Shape.of(1, 1, 2, 2));
            byte[] xv = {1, 2, 3, 5};
            System.arraycopy(xv, 0, x.bytes(), 0, 4);
            assertEquals(14, ex.run(x).bytes()[0] & 0xff, pool);
        }
    }

    @Test
    void reluThatClampsIsNotFused() {
        Graph g = qdqConv(10); // zero point 10: Relu cuts values the quantization would keep
        InferenceExecutor ex = InferenceExecutor.of(g);
        assertEquals(0, ex.graph().nodes().stream().filter(n -> n.opType().equals("QLinearConv")).count());
        Tensor x = input(new SplittableRandom(4));
        assertEquals(List.of(toList(plain(g, x).bytes())), List.of(toList(ex.run(x).bytes())));
    }

    @Test
    void passRecordsTheFusionAndLeavesItsInputAlone() {
        Graph g = qdqConv(0);
        List<Node> nodesBefore = List.copyOf(g.nodes());
        List<String> initializersBefore = List.copyOf(new dev.minnow.graph.GraphEditor(g).initializerNames());
        dev.minnow.graph.pass.PassResult r = new QdqFusion().run(g);
        dev.minnow.graph.pass.PassRecord rec = r.record();
        assertEquals("qdq-fusion", rec.pass());
        assertEquals(1, rec.count("fused"));
        assertEquals(1, rec.count("convs"));
        assertEquals(0, rec.count("pools"));
        assertEquals(3, rec.count("dequantize_removed"), "x, weight and bias DequantizeLinear are unread after fusion");
        assertEquals(List.of("Conv 'c_node' + Relu + QuantizeLinear -> QLinearConv"), rec.changes());
        assertEquals(List.of("QLinearConv"), r.graph().nodes().stream().map(Node::opType).toList());
        assertEquals(nodesBefore, g.nodes(), "run works on a copy");
        assertEquals(initializersBefore, new dev.minnow.graph.GraphEditor(g).initializerNames());
        Tensor x = input(new SplittableRandom(5));
        assertEquals(toList(InferenceExecutor.of(g).run(x).bytes()), toList(InferenceExecutor.of(r.graph()).run(x).bytes()));
        // nothing to fuse: a Relu that clamps keeps the group in float, and the record says so
        dev.minnow.graph.pass.PassRecord none = new QdqFusion().run(qdqConv(10)).record();
        assertEquals(0, none.count("fused"));
        assertFalse(none.changed());
    }

    private static List<Byte> toList(byte[] b) {
        java.util.ArrayList<Byte> r = new java.util.ArrayList<>();
        for (byte v : b) {
            r.add(v);
        }
        return r;
    }

    private static Tensor input(SplittableRandom rnd) {
        Tensor x = Tensor.zeros(DType.UINT8, Shape.of(1, 4, 6, 6));
        for (int i = 0; i < x.size(); i++) {
            x.bytes()[i] = (byte) rnd.nextInt(256);
        }
        return x;
    }

    /** x uint8 -> DQ -> Conv(DQ(W int8, per channel), DQ(B int32)) -> Relu -> Q(uint8, yzp). */
    private static Graph qdqConv(int yzp) {
        SplittableRandom rnd = new SplittableRandom(11);
        Graph g = new Graph("qdq");
        g.addInput(new Value("x", new TensorType(DType.UINT8, Shape.of(1, 4, 6, 6))));
        float xs = 0.02f;
        float[] ws = {0.011f, 0.007f, 0.013f, 0.009f, 0.005f};
        Tensor w = Tensor.zeros(DType.INT8, Shape.of(5, 4, 3, 3));
        for (int i = 0; i < w.size(); i++) {
            w.bytes()[i] = (byte) (rnd.nextInt(255) - 127);
        }
        int[] b = new int[5];
        float[] bs = new float[5];
        for (int m = 0; m < 5; m++) {
            b[m] = rnd.nextInt(-2000, 2000);
            bs[m] = xs * ws[m];
        }
        g.addInitializer("xs", Tensor.scalar(xs));
        g.addInitializer("xzp", u8(128));
        g.addInitializer("w", w);
        g.addInitializer("ws", Tensor.of(Shape.of(5), ws));
        g.addInitializer("b", Tensor.ofInts(Shape.of(5), b));
        g.addInitializer("bs", Tensor.of(Shape.of(5), bs));
        g.addInitializer("ys", Tensor.scalar(0.05f));
        g.addInitializer("yzp", u8(yzp));
        g.addNode(node("DequantizeLinear", Attributes.of(), List.of("x", "xs", "xzp"), "xf"));
        g.addNode(node("DequantizeLinear", Attributes.of("axis", 0L), List.of("w", "ws"), "wf"));
        g.addNode(node("DequantizeLinear", Attributes.of("axis", 0L), List.of("b", "bs"), "bf"));
        g.addNode(node("Conv", Attributes.of("pads", new long[] {1, 1, 1, 1}, "kernel_shape", new long[] {3, 3}),
                List.of("xf", "wf", "bf"), "c"));
        g.addNode(node("Relu", Attributes.of(), List.of("c"), "r"));
        g.addNode(node("QuantizeLinear", Attributes.of(), List.of("r", "ys", "yzp"), "y"));
        g.addOutput(new Value("y", new TensorType(DType.UINT8, Shape.of(1, 5, 6, 6))));
        return g.validate();
    }

    private static Tensor u8(int v) {
        Tensor t = Tensor.zeros(DType.UINT8, Shape.scalar());
        t.bytes()[0] = (byte) v;
        return t;
    }

    private static Node node(String type, Attributes a, List<String> in, String out) {
        return new Node(out + "_node", OpRegistry.global().create(type, a), in, List.of(out));
    }

    /** Node by node, each op's own forward (DequantizeLinear, float Conv, QuantizeLinear). */
    private static Tensor plain(Graph g, Tensor x) {
        Map<String, Tensor> v = new HashMap<>(g.initializers());
        v.put("x", x);
        for (Node n : g.nodes()) {
            Tensor[] in = n.inputs().stream().map(v::get).toArray(Tensor[]::new);
            v.put(n.output(0), n.op().forward(OpContext.inference(), in)[0]);
        }
        return v.get("y");
    }
}
