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

    /** PyTorch's x.view(x.size(0), -1) with a dynamic batch: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape. */
    @Test
    void viewWithDynamicBatchBecomesAConstantReshape() {
        for (String op : List.of("Shape", "Gather", "Unsqueeze", "Concat", "Reshape")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(dev.minnow.graph.OpRegistry.global().supports(op), op + " not on main yet");
        }
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, -1, 3, 4))
                .addInitializer(TensorProto.newBuilder().setName("zero").setDataType(7).addInt64Data(0))
                .addInitializer(TensorProto.newBuilder().setName("axes").setDataType(7).addDims(1).addInt64Data(0))
                .addInitializer(TensorProto.newBuilder().setName("minus1").setDataType(7).addDims(1).addInt64Data(-1))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("gather", "Gather", List.of("s", "zero"), List.of("n")))
                .addNode(node("unsq", "Unsqueeze", List.of("n", "axes"), List.of("n1")))
                .addNode(node("concat", "Concat", List.of("n1", "minus1"), List.of("target"),
                        dev.minnow.onnx.proto.OnnxProto.AttributeProto.newBuilder().setName("axis")
                                .setType(dev.minnow.onnx.proto.OnnxProto.AttributeProto.AttributeType.INT).setI(0).build()))
                .addNode(node("view", "Reshape", List.of("x", "target"), List.of("y")))
                .addOutput(value("y", 1, -1, 12));
        Graph graph = Onnx.fromBytes(model(13, g).toByteArray());
        assertEquals(List.of("Reshape"), ops(graph));
        assertEquals(dev.minnow.tensor.Shape.of(-1, 12), graph.outputs().get(0).type().shape());
        long[] target = graph.initializers().get(graph.nodes().get(0).input(1)).longs();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {0, -1}, target);
        dev.minnow.tensor.Tensor x = dev.minnow.tensor.Tensor.zeros(dev.minnow.tensor.Shape.of(2, 3, 4));
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = i;
        }
        dev.minnow.tensor.Tensor y = GraphRunner.run(graph, java.util.Map.of("x", x)).get("y");
        assertEquals(dev.minnow.tensor.Shape.of(2, 12), y.shape());
        org.junit.jupiter.api.Assertions.assertArrayEquals(x.floats(), y.floats());
    }

    @Test
    void aConstantNodeWithoutOutputsIsDroppedNotFolded() {
        // fuzz case 47569: a ConstantOfShape whose output list was emptied; folding threw inside the editor
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, 2))
                .addInitializer(TensorProto.newBuilder().setName("shape").setDataType(7).addDims(1).addInt64Data(3))
                .addNode(node("cos", "ConstantOfShape", List.of("shape"), List.of()))
                .addNode(node("relu", "Relu", List.of("x"), List.of("y")))
                .addOutput(value("y", 1, 2));
        Graph graph = Onnx.fromBytes(model(17, g).toByteArray(), ReadOptions.defaults());
        assertEquals(List.of("Relu"), ops(graph));
    }
}
