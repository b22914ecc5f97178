package dev.minnow.onnx;

import static dev.minnow.onnx.Models.model;
import static dev.minnow.onnx.Models.node;
import static dev.minnow.onnx.Models.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassesTest {
    private static final ReadOptions OPTS = ReadOptions.defaults().withRegistry(TestOps.registry());

    /** x[N,3,5] -> Shape -> Gather(index) -> Cast(float) -> y, plus a dead Relu. */
    private static Graph shapeChain(long index) {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, -1, 3, 5))
                .addInitializer(TensorProto.newBuilder().setName("i").setDataType(7).addInt64Data(index))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("gather", "Gather", List.of("s", "i"), List.of("d")))
                .addNode(node("relu", "Relu", List.of("x"), List.of("unused")))
                .addNode(node("cast", "Cast", List.of("d"), List.of("y"), dev.minnow.onnx.proto.OnnxProto.AttributeProto
                        .newBuilder().setName("to").setType(dev.minnow.onnx.proto.OnnxProto.AttributeProto.AttributeType.INT)
                        .setI(1).build()))
                .addOutput(value("y", 1));
        return Onnx.fromBytes(model(17, g).toByteArray(), OPTS);
    }

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(Node::opType).toList();
    }

    @Test
    void shapeOfStaticDimFoldsDespiteUnknownBatch() {
        Graph g = shapeChain(2);
        assertEquals(List.of("Cast"), ops(g)); // Shape and Gather folded, dead Relu removed
        assertEquals(5L, g.initializers().get("d").longs()[0]);
        assertFalse(g.initializers().containsKey("i"), "unused initializer removed");
    }

    @Test
    void shapeOfUnknownBatchDoesNotFold() {
        Graph g = shapeChain(0);
        assertEquals(List.of("Shape", "Gather", "Cast"), ops(g));
        assertTrue(g.initializers().containsKey("i"));
    }

    @Test
    void foldingCanBeTurnedOff() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, 2, 3))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("cast", "Cast", List.of("s"), List.of("y"), dev.minnow.onnx.proto.OnnxProto.AttributeProto
                        .newBuilder().setName("to").setType(dev.minnow.onnx.proto.OnnxProto.AttributeProto.AttributeType.INT)
                        .setI(1).build()))
                .addOutput(value("y", 1, 2));
        assertEquals(List.of("Cast"), ops(Onnx.fromBytes(model(17, g).toByteArray(), OPTS)));
        assertEquals(List.of("Shape", "Cast"), ops(Onnx.fromBytes(model(17, g).toByteArray(), OPTS.withFoldConstants(false))));
    }
}
