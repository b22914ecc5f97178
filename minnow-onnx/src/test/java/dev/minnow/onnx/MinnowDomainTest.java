package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node of Minnow's own domain (FakeQuantize) survives ONNX write and read. */
class MinnowDomainTest {
    private static Tensor random(SplittableRandom r, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /** Conv then a per-channel FakeQuantize of its output. */
    private static Graph convFakeQuant() {
        SplittableRandom r = new SplittableRandom(5);
        Graph g = new Graph("fq");
        g.addInput(new Value("x", TensorType.f32(-1, 2, 5, 5)));
        g.addInitializer("w", random(r, 3, 2, 3, 3));
        g.addInitializer("s", Tensor.of(Shape.of(3), 0.05f, 0.1f, 0.2f));
        g.addInitializer("z", Tensor.wrap(DType.INT8, Shape.of(3), new byte[] {0, 3, -2}));
        OpRegistry ops = OpRegistry.global();
        g.addNode(new Node("conv", ops.create("Conv", new Attributes()), List.of("x", "w"), List.of("c")));
        g.addNode(new Node("fq", ops.create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize",
                Attributes.of("qmin", -100L, "qmax", 100L, "axis", 1L)), List.of("c", "s", "z"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 3, 3, 3)));
        return g.validate();
    }

    @Test
    void fakeQuantizeRoundTrips() throws Exception {
        Graph g = convFakeQuant();
        byte[] bytes = Onnx.toBytes(g);
        ModelProto m = ModelProto.parseFrom(bytes);
        assertEquals(OpRegistry.MINNOW_DOMAIN, m.getGraph().getNode(1).getDomain());
        assertTrue(m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals(OpRegistry.MINNOW_DOMAIN) && o.getVersion() == 1),
                m.getOpsetImportList().toString());

        Graph back = Onnx.fromBytes(bytes);
        Node fq = back.nodes().stream().filter(n -> n.name().equals("fq")).findFirst().orElseThrow();
        assertEquals(OpRegistry.MINNOW_DOMAIN, fq.domain());
        assertEquals("FakeQuantize", fq.opType());
        assertEquals(-100, fq.attributes().getInt("qmin", 0));
        assertEquals(100, fq.attributes().getInt("qmax", 0));
        assertEquals(1, fq.attributes().getInt("axis", 0));

        Tensor x = random(new SplittableRandom(6), 2, 2, 5, 5);
        float[] before = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        float[] after = GraphRunner.run(back, Map.of("x", x)).get("y").floats();
        assertArrayEquals(before, after);
        // the output is quantized: every channel's values are multiples of its scale
        float[] raw = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        for (int i = 0; i < raw.length; i++) {
            float s = new float[] {0.05f, 0.1f, 0.2f}[(i / 9) % 3];
            assertEquals(Math.rint(raw[i] / s), raw[i] / s, 1e-3, "element " + i);
        }
        // and written again, it is the same model
        assertArrayEquals(bytes, Onnx.toBytes(back));
    }

    @Test
    void anUnknownVersionOfTheMinnowDomainIsRefused() throws Exception {
        ModelProto m = ModelProto.parseFrom(Onnx.toBytes(convFakeQuant()));
        ModelProto.Builder b = m.toBuilder().clearOpsetImport();
        for (OperatorSetIdProto o : m.getOpsetImportList()) {
            b.addOpsetImport(o.getDomain().equals(OpRegistry.MINNOW_DOMAIN) ? o.toBuilder().setVersion(2).build() : o);
        }
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Onnx.fromBytes(b.build().toByteArray()));
        assertTrue(e.getMessage().contains("FakeQuantize (domain dev.minnow, opset 2)"), e.getMessage());
    }
}
