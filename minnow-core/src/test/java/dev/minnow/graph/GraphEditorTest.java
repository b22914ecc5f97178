package dev.minnow.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.graph.pass.Pipeline;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.GraphBuilder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GraphEditorTest {
    private static Graph convBnRelu() {
        GraphBuilder b = GraphBuilder.named("cbr", 3);
        Value x = b.input("x", Shape.of(-1, 3, 8, 8));
        x = b.relu(b.batchNorm(b.conv(x, 4, 3, 1, 1)));
        b.output("y", b.flatten(x));
        return b.build();
    }

    private static Tensor input(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(Shape.of(2, 3, 8, 8));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void indexesFollowEdits() {
        Graph g = convBnRelu();
        Node conv = g.nodes().get(0);
        Node bn = g.producer(g.consumers(conv.output(0)).get(0).output(0));
        assertSame(conv, g.producer(conv.output(0)));
        assertEquals(List.of(bn), g.consumers(conv.output(0)));
        GraphEditor e = new GraphEditor(g);
        e.removeNode(bn);
        assertNull(g.producer(bn.output(0)), "index must drop the removed node's output");
        assertTrue(g.consumers(conv.output(0)).isEmpty());
    }

    /** Narrows the conv and its batch norm to 2 output channels by replacing initializers. */
    private static void narrow(Graph g) {
        Node conv = g.nodes().get(0);
        g.initializers().put(conv.input(1), Tensor.zeros(Shape.of(2, 3, 3, 3)));
        g.initializers().put(conv.input(2), Tensor.zeros(Shape.of(2)));
        Node bn = g.consumers(conv.output(0)).get(0);
        for (int k = 1; k <= 4; k++) {
            g.initializers().put(bn.input(k), Tensor.zeros(Shape.of(2)));
        }
    }

    @Test
    void typesAreNeverStaleAfterAnEdit() {
        Graph g = convBnRelu().validate();
        assertTrue(g.isValidated());
        Node conv = g.nodes().get(0);
        GraphEditor e = new GraphEditor(g);
        assertEquals(4, e.type(conv.output(0)).shape().dim(1));
        narrow(g);
        assertFalse(g.isValidated(), "an initializer edit must invalidate inferred types");
        assertEquals(2, e.type(conv.output(0)).shape().dim(1));
        assertTrue(g.isValidated());
        // GraphSummary re-validates an edited graph instead of reading the old types
        Graph h = convBnRelu().validate();
        long wide = GraphSummary.of(h).layers().get(0).macs();
        narrow(h);
        assertEquals(wide / 2, GraphSummary.of(h).layers().get(0).macs(), "the summary must count the narrowed conv");
    }

    @Test
    void insertAfterMovesReadersAndKeepsGraphOutputNames() {
        Graph g = convBnRelu().validate();
        Tensor before = new TrainingExecutor(g.copy()).predict(input(1));
        GraphEditor e = new GraphEditor(g);
        Node conv = g.nodes().get(0);
        Op identity = OpRegistry.global().create("Identity", Attributes.of());
        Node id = e.insertAfter(conv.output(0), "tap", identity);
        assertEquals(List.of(id), g.consumers(conv.output(0)));
        assertEquals(1, g.consumers(id.output(0)).size());
        // on a graph output: the output keeps its name, the new node writes it
        Node out = e.insertAfter("y", "final", identity);
        assertEquals("y", out.output(0));
        assertNotEquals("y", g.producer(out.input(0)).output(0));
        e.commit();
        assertEquals("y", g.outputs().get(0).name());
        assertArrayEquals(before.floats(), new TrainingExecutor(g).predict(input(1)).floats());
    }

    @Test
    void freshNamesAndRemoveUnused() {
        Graph g = convBnRelu().validate();
        GraphEditor e = new GraphEditor(g);
        String w = g.nodes().get(0).input(1);
        String fresh = e.freshName(w);
        assertNotEquals(w, fresh);
        String added = e.addInitializer(w, Tensor.zeros(Shape.of(1)));
        assertNotEquals(w, added);
        // a dangling branch: Relu on the conv output that nobody reads
        Op relu = OpRegistry.global().create("Relu", Attributes.of());
        e.addNode("dead", relu, List.of(g.nodes().get(0).output(0)), 1);
        int nodes = g.nodes().size();
        assertEquals(1, e.removeUnused());
        assertEquals(nodes - 1, g.nodes().size());
        assertFalse(g.initializers().containsKey(added), "an initializer nobody reads is dropped");
        e.commit();
    }

    @Test
    void passRunsOnACopyAndRecordsWhatItDid() {
        Graph g = convBnRelu().validate();
        int nodes = g.nodes().size();
        Tensor expected = new TrainingExecutor(g.copy()).predict(input(2));
        PassResult r = Pipeline.of(new BatchNormFolding(), new CountNodes()).run(g);
        assertEquals(nodes, g.nodes().size(), "the input graph is left as it was");
        assertEquals(nodes - 1, r.graph().nodes().size());
        assertEquals(2, r.records().size());
        assertEquals(1, r.records().get(0).count("folded"));
        assertEquals(nodes - 1, r.records().get(1).count("nodes"), "the second pass sees the first one's result");
        assertTrue(r.graph().isValidated());
        assertNotSame(g.initializers().values().iterator().next(), r.graph().initializers().values().iterator().next());
        Tensor got = new TrainingExecutor(r.graph()).predict(input(2));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.floats()[i], got.floats()[i], 1e-4);
        }
    }

    @Test
    void readingInitializerNamesIsNoEdit() {
        Graph g = convBnRelu().validate();
        GraphEditor e = new GraphEditor(g);
        List<String> names = e.initializerNames();
        assertEquals(g.initializers().size(), names.size());
        assertTrue(names.contains(g.nodes().get(0).input(1)));
        e.freshName("x");
        assertTrue(g.isValidated(), "listing names and choosing a fresh one must not invalidate the types");
        assertEquals(0, e.removeUnused());
        assertTrue(g.isValidated(), "removing nothing is no edit");
    }

    @Test
    void replaceByConstantsKeepsTheValueNames() {
        // x -> Relu(c) with c = Relu(k): the inner Relu reads only an initializer
        Graph g = new Graph("fold");
        g.addInput(new Value("x", new TensorType(dev.minnow.tensor.DType.FLOAT32, Shape.of(2))));
        g.addInitializer("k", Tensor.of(Shape.of(2), new float[] {-1, 3}));
        Op relu = OpRegistry.global().create("Relu", Attributes.of());
        Op add = OpRegistry.global().create("Add", Attributes.of());
        Node inner = new Node("inner", relu, List.of("k"), List.of("c"));
        g.addNode(inner);
        g.addNode(new Node("sum", add, List.of("x", "c"), List.of("y")));
        g.addOutput(new Value("y", null));
        g.validate();
        GraphEditor e = new GraphEditor(g);
        e.replaceByConstants(inner, List.of(Tensor.of(Shape.of(2), new float[] {0, 3})));
        assertNull(g.producer("c"));
        assertArrayEquals(new float[] {0, 3}, e.initializer("c").floats());
        assertEquals(List.of("sum"), g.nodes().stream().map(Node::name).toList());
        assertEquals(Shape.of(2), e.type("y").shape());
        // an output that is already an initializer cannot become one again
        Node clash = new Node("clash", relu, List.of("x"), List.of("k"));
        e.addNode(clash);
        assertThrows(dev.minnow.errors.InvalidInputException.class,
                () -> e.replaceByConstants(clash, List.of(Tensor.zeros(Shape.of(2)))));
        assertTrue(g.nodes().contains(clash), "a refused replacement leaves the graph as it was");
    }

    @Test
    void retypeInputsAndOutputs() {
        Graph g = convBnRelu().validate();
        GraphEditor e = new GraphEditor(g);
        TensorType t = new TensorType(dev.minnow.tensor.DType.FLOAT32, Shape.of(1, 3, 8, 8));
        e.setInputType("x", t);
        assertEquals(t, g.inputs().get(0).type());
        assertFalse(g.isValidated(), "a new input type must be inferred again");
        assertEquals(1, e.type("y").shape().dim(0), "the batch of 1 reaches the output");
        TensorType yt = new TensorType(dev.minnow.tensor.DType.FLOAT32, Shape.of(1, 256));
        e.setOutputType("y", yt);
        assertEquals(yt, g.outputs().get(0).type());
        assertThrows(dev.minnow.errors.InvalidInputException.class, () -> e.setInputType("nope", t));
    }

    @Test
    void sortNodesOrdersWithoutInferringTypes() {
        Graph g = convBnRelu().validate();
        List<Node> sorted = List.copyOf(g.nodes());
        List<Node> reversed = new java.util.ArrayList<>(sorted);
        java.util.Collections.reverse(reversed);
        g.setNodes(reversed);
        // a node reading a value nobody produces: validate() would fail, sortNodes() must not
        Op relu = OpRegistry.global().create("Relu", Attributes.of());
        Node dangling = new Node("dangling", relu, List.of("missing"), List.of("d"));
        g.addNode(dangling);
        GraphEditor e = new GraphEditor(g);
        e.sortNodes();
        List<Node> expected = new java.util.ArrayList<>(sorted);
        expected.add(dangling);
        assertEquals(expected, g.nodes());
        assertFalse(g.isValidated());
        // a cycle is reported
        Node a = new Node("a", relu, List.of("b_out"), List.of("a_out"));
        Node b = new Node("b", relu, List.of("a_out"), List.of("b_out"));
        e.addNode(a);
        e.addNode(b);
        assertThrows(dev.minnow.errors.InvalidInputException.class, e::sortNodes);
    }

    @Test
    void removeUnusedWithAPredicateKeepsOtherNodes() {
        Graph g = convBnRelu().validate();
        GraphEditor e = new GraphEditor(g);
        Node conv = g.nodes().get(0);
        Op relu = OpRegistry.global().create("Relu", Attributes.of());
        Op identity = OpRegistry.global().create("Identity", Attributes.of());
        // dead chain conv -> Identity -> Identity -> Relu: only the Identity nodes may go, and the
        // Relu, which stays, keeps the Identity it reads
        Node id1 = e.addNode("id1", identity, List.of(conv.output(0)), 1);
        Node id2 = e.addNode("id2", identity, List.of(id1.output(0)), 1);
        Node deadRelu = e.addNode("deadRelu", relu, List.of(id2.output(0)), 1);
        Node id3 = e.addNode("id3", identity, List.of(conv.output(0)), 1);
        int nodes = g.nodes().size();
        assertEquals(1, e.removeUnused(n -> n.opType().equals("Identity")));
        assertEquals(nodes - 1, g.nodes().size());
        assertTrue(g.nodes().containsAll(List.of(id1, id2, deadRelu)));
        assertFalse(g.nodes().contains(id3));
        assertEquals(3, e.removeUnused(), "without the predicate the whole dead chain goes");
        e.commit();
    }

    @Test
    void pipelineValidatesOnlyBeforePassesThatNeedIt() {
        Graph g = convBnRelu().validate();
        boolean[] sawValid = new boolean[2];
        GraphPass breaks = new GraphPass() {
            @Override
            public String name() {
                return "breaks";
            }

            @Override
            public boolean needsValidGraph() {
                return false;
            }

            @Override
            public PassRecord apply(GraphEditor editor) {
                sawValid[0] = editor.graph().isValidated();
                // a node reading a value nobody makes yet, then the value: invalid between the two
                editor.addNode(new Node("late", OpRegistry.global().create("Relu", Attributes.of()), List.of("v"),
                        List.of("w")));
                return PassRecord.of(name()).count("added", 1).build();
            }
        };
        GraphPass repairs = new GraphPass() {
            @Override
            public String name() {
                return "repairs";
            }

            @Override
            public boolean needsValidGraph() {
                return false;
            }

            @Override
            public PassRecord apply(GraphEditor editor) {
                sawValid[1] = editor.graph().isValidated();
                editor.graph().addInitializer("v", Tensor.zeros(Shape.of(1)));
                return PassRecord.of(name()).build();
            }
        };
        PassResult r = Pipeline.of(breaks, repairs, new CountNodes()).run(g);
        assertTrue(sawValid[0]);
        assertFalse(sawValid[1], "no validation between passes that do not need it (it would fail here)");
        assertEquals(g.nodes().size() + 1, r.records().get(2).count("nodes"));
        assertTrue(r.graph().isValidated());
        assertThrows(dev.minnow.errors.InvalidInputException.class, () -> Pipeline.of(breaks, new CountNodes()).run(g),
                "a pass that needs a valid graph gets one or an error");
    }

    private static final class CountNodes implements GraphPass {
        @Override
        public String name() {
            return "count";
        }

        @Override
        public PassRecord apply(GraphEditor editor) {
            return PassRecord.of(name()).count("nodes", editor.graph().nodes().size()).build();
        }
    }
}
