package dev.minnow.onnx;

import static dev.minnow.onnx.Models.model;
import static dev.minnow.onnx.Models.node;
import static dev.minnow.onnx.Models.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.onnx.passes.ConstantFolding;
import dev.minnow.onnx.passes.DeadNodeRemoval;
import dev.minnow.onnx.passes.HalfToFloat;
import dev.minnow.onnx.passes.NhwcToNchw;
import dev.minnow.onnx.proto.OnnxProto.AttributeProto;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each import pass's record on a graph whose changes are known by hand, and its input left as it was. */
class ImportPassesTest {
    private static final ReadOptions NONE = ReadOptions.defaults().withFoldConstants(false).withRemoveDeadNodes(false);

    /** PyTorch's x.view(x.size(0), -1) with a dynamic batch: Shape -> Gather(0) -> Unsqueeze -> Concat(-1) -> Reshape. */
    private static byte[] view() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, -1, 3, 4))
                .addInitializer(TensorProto.newBuilder().setName("zero").setDataType(7).addInt64Data(0))
                .addInitializer(TensorProto.newBuilder().setName("axes").setDataType(7).addDims(1).addInt64Data(0))
                .addInitializer(TensorProto.newBuilder().setName("minus1").setDataType(7).addDims(1).addInt64Data(-1))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("gather", "Gather", List.of("s", "zero"), List.of("n")))
                .addNode(node("unsq", "Unsqueeze", List.of("n", "axes"), List.of("n1")))
                .addNode(node("concat", "Concat", List.of("n1", "minus1"), List.of("target"), integer("axis", 0)))
                .addNode(node("view", "Reshape", List.of("x", "target"), List.of("y")))
                .addOutput(value("y", 1, -1, 12));
        return model(13, g).toByteArray();
    }

    /** x[N,3,5] -> Shape -> Gather(2) -> Cast(float) -> y, plus a dead Relu. */
    private static byte[] shapeChain() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, -1, 3, 5))
                .addInitializer(TensorProto.newBuilder().setName("i").setDataType(7).addInt64Data(2))
                .addNode(node("shape", "Shape", List.of("x"), List.of("s")))
                .addNode(node("gather", "Gather", List.of("s", "i"), List.of("d")))
                .addNode(node("relu", "Relu", List.of("x"), List.of("unused")))
                .addNode(node("cast", "Cast", List.of("d"), List.of("y"), integer("to", 1)))
                .addOutput(value("y", 1));
        return model(17, g).toByteArray();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(Node::opType).toList();
    }

    /** Runs the pass and checks that the graph it was given is the same afterwards. */
    private static PassResult runLeavingInputAlone(dev.minnow.graph.pass.GraphPass pass, Graph g) {
        List<Node> nodes = List.copyOf(g.nodes());
        List<String> initializers = new GraphEditor(g).initializerNames();
        List<Value> inputs = List.copyOf(g.inputs());
        List<Value> outputs = List.copyOf(g.outputs());
        PassResult r = pass.run(g);
        assertEquals(nodes, g.nodes(), pass.name() + " must not change its input's nodes");
        assertEquals(initializers, new GraphEditor(g).initializerNames());
        assertEquals(inputs, g.inputs());
        assertEquals(outputs, g.outputs());
        assertTrue(r.graph().isValidated());
        return r;
    }

    @Test
    void constantFoldingCountsFoldedNodesAndReshapeTargets() {
        Graph chain = Onnx.fromBytes(shapeChain(), NONE);
        PassRecord r = runLeavingInputAlone(new ConstantFolding(), chain).record();
        assertEquals("constant-folding", r.pass());
        // Shape of an unknown batch stays symbolic; Gather picks the known 5; Cast feeds the output
        assertEquals(1, r.count("folded"));
        assertEquals(0, r.count("reshape_targets"));
        assertEquals(List.of("folded Gather 'gather'"), r.changes());

        Graph view = Onnx.fromBytes(view(), NONE);
        PassResult v = runLeavingInputAlone(new ConstantFolding(), view);
        assertEquals(0, v.record().count("folded"));
        assertEquals(1, v.record().count("reshape_targets"));
        String target = v.graph().producer("y").input(1);
        assertArrayEquals(new long[] {0, -1}, v.graph().initializers().get(target).longs());
        assertEquals(List.of("Reshape 'view' reads the constant target " + target + " [0, -1]"), v.record().changes());
    }

    @Test
    void deadNodeRemovalCountsNodesAndInitializers() {
        // folded but not trimmed: the Shape chain before the constant Reshape is dead
        Graph g = Onnx.fromBytes(view(), NONE.withFoldConstants(true));
        assertEquals(5, g.nodes().size());
        PassResult r = runLeavingInputAlone(new DeadNodeRemoval(), g);
        assertEquals(4, r.record().count("nodes_removed"));
        assertEquals(3, r.record().count("initializers_removed"), "zero, axes and minus1");
        assertEquals(List.of("Reshape"), ops(r.graph()));
        assertEquals(7, r.record().changes().size());
        assertTrue(r.record().changes().contains("removed Gather 'gather'"));
        assertTrue(r.record().changes().contains("removed initializer 'minus1'"));
        assertFalse(new DeadNodeRemoval().run(r.graph()).record().changed(), "nothing left to remove");
    }

    @Test
    void halfToFloatCountsEachKindOfChange() {
        Graph g = new Graph("half");
        g.addInput(new Value("x", new TensorType(DType.FLOAT16, Shape.of(2))));
        g.addInitializer("h", Tensor.of(Shape.of(2), 0.5f, -2f).cast(DType.FLOAT16));
        g.addInitializer("f", Tensor.of(Shape.of(2), 1f, 1f));
        OpRegistry reg = OpRegistry.global();
        g.addNode(new Node("add", reg.create("Add", Attributes.of()), List.of("x", "h"), List.of("s")));
        g.addNode(new Node("mul", reg.create("Mul", Attributes.of()), List.of("s", "s"), List.of("p")));
        g.addNode(new Node("cast", reg.create("Cast", Attributes.of("to", (long) DType.FLOAT16.onnxCode)), List.of("p"),
                List.of("y")));
        g.addOutput(new Value("y", new TensorType(DType.FLOAT16, Shape.of(2))));
        g.addOutput(new Value("s", null));
        PassResult r = runLeavingInputAlone(new HalfToFloat(reg), g);
        PassRecord rec = r.record();
        assertEquals(List.of(1L, 1L, 1L, 1L),
                List.of(rec.count("initializers"), rec.count("inputs"), rec.count("outputs"), rec.count("nodes")));
        assertEquals(4, rec.changes().size());
        assertEquals(DType.FLOAT16, g.initializers().get("h").dtype(), "the input graph keeps its half weights");
        assertEquals(DType.FLOAT32, r.graph().initializers().get("h").dtype());
        assertEquals(DType.FLOAT32, r.graph().type("y").dtype());
        Tensor y = GraphRunner.run(r.graph(), Map.of("x", Tensor.of(Shape.of(2), 1f, 3f))).get("y");
        assertArrayEquals(new float[] {2.25f, 1f}, y.floats());
    }

    @Test
    void nhwcToNchwCountsConvertedInputs() {
        GraphProto.Builder b = GraphProto.newBuilder().addInput(value("x", 1, -1, 4, 5, 3))
                .addNode(node("t", "Transpose", List.of("x"), List.of("nchw"), Models.ints("perm", 0, 3, 1, 2)))
                .addNode(node("relu", "Relu", List.of("nchw"), List.of("y")))
                .addOutput(value("y", 1, -1, 3, 4, 5));
        Graph g = Onnx.fromBytes(model(13, b).toByteArray(), NONE);
        PassResult r = runLeavingInputAlone(new NhwcToNchw(), g);
        assertEquals(1, r.record().count("inputs_converted"));
        assertEquals(List.of("input 'x' " + Shape.of(-1, 4, 5, 3) + " -> " + Shape.of(-1, 3, 4, 5)
                + ", Transpose 't' removed"), r.record().changes());
        assertEquals(List.of("Relu"), ops(r.graph()));
        assertEquals(Shape.of(-1, 3, 4, 5), r.graph().inputs().get(0).type().shape());
        assertFalse(g.metadata().containsKey("minnow.input_layout"));
        assertTrue(r.graph().metadata().containsKey("minnow.input_layout"));
    }

    @Test
    void readerKeepsTheRecordsOfItsPipeline() {
        PassResult r = Onnx.fromBytesWithRecords(view(), ReadOptions.defaults());
        assertEquals(List.of("constant-folding", "dead-node-removal"), r.records().stream().map(PassRecord::pass).toList());
        assertEquals(1, r.records().get(0).count("reshape_targets"));
        assertEquals(4, r.records().get(1).count("nodes_removed"));
        assertEquals(List.of("Reshape"), ops(r.graph()));
        assertTrue(r.graph().isValidated());
        PassResult all = Onnx.fromBytesWithRecords(shapeChain(), ReadOptions.defaults().withUpcastHalf(true)
                .withNchwInputs(true));
        assertEquals(List.of("half-to-float", "nhwc-to-nchw", "constant-folding", "dead-node-removal"),
                all.records().stream().map(PassRecord::pass).toList());
        assertFalse(all.records().get(0).changed(), "a float32 model has nothing to upcast");
        assertEquals(2, all.records().get(3).count("nodes_removed"), "the Shape left dead by folding and the dead Relu");
        assertTrue(Onnx.fromBytesWithRecords(view(), NONE).records().isEmpty());
    }
}
