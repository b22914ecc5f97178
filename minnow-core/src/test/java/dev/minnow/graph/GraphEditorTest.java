package dev.minnow.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
