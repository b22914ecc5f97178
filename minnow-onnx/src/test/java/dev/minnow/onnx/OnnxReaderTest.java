package dev.minnow.onnx;

import static dev.minnow.onnx.Models.model;
import static dev.minnow.onnx.Models.node;
import static dev.minnow.onnx.Models.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxReaderTest {
    private static final ReadOptions OPTS = ReadOptions.defaults().withRegistry(TestOps.registry());

    /** x[N,3] -> Relu -> Add(bias) -> y */
    private static GraphProto.Builder reluAdd() {
        return GraphProto.newBuilder().setName("g")
                .addInput(value("x", 1, -1, 3))
                .addInitializer(TensorProto.newBuilder().setName("b").setDataType(1).addDims(1).addDims(3)
                        .addFloatData(1).addFloatData(2).addFloatData(3))
                .addNode(node("r", "Relu", List.of("x"), List.of("h")))
                .addNode(node("a", "Add", List.of("h", "b"), List.of("y")))
                .addOutput(value("y", 1, -1, 3));
    }

    @Test
    void readsGraphWithSymbolicBatchAndRuns() {
        ModelProto m = model(13, reluAdd()).toBuilder()
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("seed").setValue("7")).build();
        Graph g = Onnx.fromBytes(m.toByteArray(), OPTS);
        assertEquals(Shape.of(-1, 3), g.inputs().get(0).type().shape());
        assertEquals("7", g.metadata().get("seed"));
        assertEquals(13L, g.nodes().get(0).attributes().getInt("_opset", 0));
        Tensor x = Tensor.of(Shape.of(1, 3), -1, 0.5f, 2);
        float[] y = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        assertArrayEquals(new float[] {1, 2.5f, 5}, y); // relu(x) + b by hand
    }

    @Test
    void unsupportedOpsAreAllListedInOneMessage() {
        GraphProto.Builder g = reluAdd().addNode(node("s1", "Softplus", List.of("y"), List.of("z")))
                .addNode(node("m1", "Mish", List.of("z"), List.of("w")))
                .addNode(node("ml", "LinearRegressor", List.of("w"), List.of("v")).toBuilder().setDomain("ai.onnx.ml").build());
        ModelProto m = model(13, g).toBuilder().addOpsetImport(
                dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto.newBuilder().setDomain("ai.onnx.ml").setVersion(3)).build();
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Onnx.fromBytes(m.toByteArray(), OPTS));
        String msg = e.getMessage();
        assertTrue(msg.contains("Softplus (domain ai.onnx, opset 13) at node 's1'"), msg);
        assertTrue(msg.contains("Mish (domain ai.onnx, opset 13) at node 'm1'"), msg);
        assertTrue(msg.contains("LinearRegressor (domain ai.onnx.ml, opset 3)"), msg);
        assertTrue(msg.contains("docs/ONNX_SUPPORT.md"), msg);
        assertTrue(msg.lines().count() <= 6, "a few lines, not the list of every supported op:\n" + msg);
        assertTrue(msg.length() < 800, msg);
    }

    @Test
    void manyUnsupportedOpsStillFitInAFewLines() {
        GraphProto.Builder g = reluAdd();
        String in = "y";
        for (int i = 0; i < 20; i++) {
            g.addNode(node("n" + i, "Made" + i, List.of(in), List.of("o" + i)));
            in = "o" + i;
        }
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        String msg = e.getMessage();
        assertTrue(msg.contains("uses 20 ops"), msg);
        assertTrue(msg.contains("and 17 more"), msg);
        assertTrue(msg.lines().count() <= 6, msg);
        assertTrue(msg.length() < 800, msg);
    }

    @Test
    void closestSupportedNamesAreSuggested() {
        GraphProto.Builder g = reluAdd().addNode(node("r", "Rellu", List.of("y"), List.of("z")));
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("Supported ops close to these: Relu (for Rellu)"), e.getMessage());
    }

    @Test
    void opsetOutsideRangeIsRejected() {
        for (int opset : new int[] {6, 23}) {
            UnsupportedOpException e = assertThrows(UnsupportedOpException.class,
                    () -> Onnx.fromBytes(model(opset, reluAdd()).toByteArray(), OPTS));
            assertTrue(e.getMessage().contains("opset " + opset), e.getMessage());
        }
    }

    @Test
    void truncatedProtobufIsInvalidInput() {
        byte[] full = model(13, reluAdd()).toByteArray();
        for (int cut : new int[] {1, full.length / 2, full.length - 3}) {
            byte[] part = java.util.Arrays.copyOf(full, cut);
            Exception e = assertThrows(dev.minnow.errors.MinnowException.class, () -> Onnx.fromBytes(part, OPTS));
            assertTrue(e instanceof InvalidInputException || e instanceof ShapeException, e.toString());
        }
    }

    @Test
    void cycleIsReportedWithNode() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, 2))
                .addNode(node("a", "Add", List.of("x", "q"), List.of("p")))
                .addNode(node("b", "Relu", List.of("p"), List.of("q")))
                .addOutput(value("q", 1, 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
    }

    @Test
    void missingInputIsReported() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, 2))
                .addNode(node("a", "Add", List.of("x", "nowhere"), List.of("y"))).addOutput(value("y", 1, 2));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void declaredOutputTypeMismatchIsShapeError() {
        GraphProto.Builder g = reluAdd().setOutput(0, value("y", 10, -1, 3));
        ShapeException e = assertThrows(ShapeException.class, () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("float16"), e.getMessage());
    }

    @Test
    void constantNodeBecomesInitializerAndOldSqueezeIsLifted() {
        TensorProto c = TensorProto.newBuilder().setDataType(1).addDims(1).addDims(3).addFloatData(4).addFloatData(5)
                .addFloatData(6).build();
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, 1, 3))
                .addNode(node("c", "Constant", List.of(), List.of("k"),
                        AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(c).build()))
                .addNode(node("a", "Add", List.of("x", "k"), List.of("s")))
                .addNode(node("q", "Squeeze", List.of("s"), List.of("y"), Models.ints("axes", 0)))
                .addOutput(value("y", 1, 1, 3));
        Graph graph = Onnx.fromBytes(model(11, g).toByteArray(), OPTS.withFoldConstants(false));
        assertArrayEquals(new float[] {4, 5, 6}, graph.initializers().get("k").floats());
        Node squeeze = graph.nodes().get(1);
        assertEquals(13L, squeeze.attributes().getInt("_opset", 0));
        assertNull(squeeze.attributes().getInts("axes", null));
        assertArrayEquals(new long[] {0}, graph.initializers().get(squeeze.input(1)).longs());
    }

    @Test
    void tensorWithHugeDimsIsRefusedBeforeAllocating() {
        GraphProto.Builder g = reluAdd().setInitializer(0, TensorProto.newBuilder().setName("b").setDataType(1)
                .addDims(1L << 20).addDims(1L << 20).addDims(1L << 20));
        assertThrows(ShapeException.class, () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        GraphProto.Builder g2 = reluAdd().setInitializer(0, TensorProto.newBuilder().setName("b").setDataType(1)
                .addDims(1 << 28).setRawData(com.google.protobuf.ByteString.copyFrom(new byte[16])));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Onnx.fromBytes(model(13, g2).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void sequenceInputIsUnsupported() {
        var seq = dev.minnow.onnx.proto.OnnxProto.ValueInfoProto.newBuilder().setName("x").setType(
                dev.minnow.onnx.proto.OnnxProto.TypeProto.newBuilder().setSequenceType(
                        dev.minnow.onnx.proto.OnnxProto.TypeProto.Sequence.getDefaultInstance())).build();
        GraphProto.Builder g = reluAdd().setInput(0, seq);
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> Onnx.fromBytes(model(13, g).toByteArray(), OPTS));
        assertTrue(e.getMessage().contains("sequence"), e.getMessage());
    }

    @Test
    void halfUpcastOnRequest() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 10, 2))
                .addNode(node("c", "Cast", List.of("x"), List.of("y"),
                        AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT).setI(10).build()))
                .addOutput(value("y", 10, 2));
        Graph graph = Onnx.fromBytes(model(13, g).toByteArray(), OPTS.withUpcastHalf(true));
        assertEquals(DType.FLOAT32, graph.inputs().get(0).type().dtype());
        assertEquals(DType.FLOAT32, graph.outputs().get(0).type().dtype());
        assertEquals(1L, graph.nodes().get(0).attributes().getInt("to", 0));
    }
}
