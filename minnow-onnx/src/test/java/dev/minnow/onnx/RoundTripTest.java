package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
    private static final OpRegistry OPS = TestOps.registry();
    private static final ReadOptions OPTS = ReadOptions.defaults().withRegistry(OPS);

    static Graph small() {
        Graph g = new Graph("small");
        g.addInput(new Value("x", TensorType.f32(-1, 4)));
        g.addInitializer("b", Tensor.of(Shape.of(1, 4), 0.5f, -1, 2, 0));
        Attributes a = Attributes.of("alpha", 0.25, "ks", new long[] {3, 3}, "mode", "fast", "fs", new double[] {1.5},
                "names", new String[] {"p", "q"}, "t", Tensor.ofLongs(Shape.of(2), 7, 8), "_opset", 17L, "_private", "x");
        g.addNode(new Node("relu", OPS.create("Relu", a), List.of("x"), List.of("h")));
        g.addNode(new Node("add", OPS.create("Add", new Attributes()), List.of("h", "b"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 4)));
        g.metadata().put("minnow.seed", "42");
        return g.validate();
    }

    @Test
    void bytesAreStableAcrossARoundTrip() {
        byte[] first = Onnx.toBytes(small());
        Graph back = Onnx.fromBytes(first, OPTS);
        byte[] second = Onnx.toBytes(back);
        try {
            assertEquals(ModelProto.parseFrom(first).toString(), ModelProto.parseFrom(second).toString());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertArrayEquals(first, second);
        Attributes a = back.nodes().get(0).attributes();
        assertEquals(0.25, a.getFloat("alpha", 0));
        assertArrayEquals(new long[] {3, 3}, a.getInts("ks", null));
        assertEquals("fast", a.getString("mode", null));
        assertArrayEquals(new String[] {"p", "q"}, a.getStrings("names", null));
        assertArrayEquals(new long[] {7, 8}, a.getTensor("t").longs());
        assertEquals("42", back.metadata().get("minnow.seed"));
    }

    @Test
    void writerUsesOpset17NamedBatchAndNoPrivateAttributes() throws Exception {
        ModelProto m = ModelProto.parseFrom(Onnx.toBytes(small()));
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals("minnow", m.getProducerName());
        assertEquals("N", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(4, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(1).getDimValue());
        assertEquals("N", m.getGraph().getOutput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        for (AttributeProto a : m.getGraph().getNode(0).getAttributeList()) {
            assertFalse(a.getName().startsWith("_"), a.getName());
        }
        assertEquals(4, m.getGraph().getInitializer(0).getRawData().size() / 4);
        assertEquals("minnow.seed", m.getMetadataProps(0).getKey());
    }

    @Test
    void writeIsAtomicAndReadable(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("m.onnx");
        Files.writeString(f, "old content");
        Onnx.write(small(), f);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList());
        }
        Graph g = Onnx.read(f, OPTS);
        Tensor x = Tensor.of(Shape.of(1, 4), 1, -2, 3, -4);
        float[] y = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        assertArrayEquals(new float[] {1.5f, -1, 5, 0}, y); // relu(x) + b by hand
    }

    @Test
    void reduceAxesMoveBetweenInputAndAttributeForms() {
        NodeSpec n = new NodeSpec("r", "ReduceMean", "", new Attributes(), List.of("x", "axes"), List.of("y"), 18);
        Map<String, Tensor> consts = Map.of("axes", Tensor.ofLongs(Shape.of(2), 2, 3));
        assertTrue(OpsetForms.reduceForWrite(n, 17, consts, new java.util.HashMap<>()));
        assertArrayEquals(new long[] {2, 3}, n.attrs.getInts("axes", null));
        assertEquals(List.of("x"), n.inputs);
        Map<String, Tensor> extra = new java.util.HashMap<>();
        assertTrue(OpsetForms.reduceForWrite(n, 18, consts, extra));
        assertArrayEquals(new long[] {2, 3}, extra.get(n.inputs.get(1)).longs());
        NodeSpec dynamic = new NodeSpec("r", "ReduceMax", "", new Attributes(), List.of("x", "computed"), List.of("y"), 18);
        assertFalse(OpsetForms.reduceForWrite(dynamic, 17, consts, new java.util.HashMap<>()));
    }
}
