package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each coupled case pruned and checked against the unpruned graph whose removed channels are
 * zeroed at their sources (weight rows, biases, batch-norm scale and shift): the two must give
 * the same outputs, so every coupled place was cut consistently.
 */
class ChannelPruningTest {
    private static final int H = 6;

    private static Graph build(String name, Function<GraphBuilder, Value> body, int inChannels) {
        GraphBuilder b = GraphBuilder.named(name, 5);
        Value x = b.input("x", Shape.of(-1, inChannels, H, H));
        b.output("y", body.apply(withInput(b, x)));
        Graph g = b.build();
        randomize(g, 11);
        return g;
    }

    private static GraphBuilder withInput(GraphBuilder b, Value x) {
        INPUT.set(x);
        return b;
    }

    private static final ThreadLocal<Value> INPUT = new ThreadLocal<>();

    /** Random weights, biases and batch-norm statistics (variance positive), so no channel is trivially zero. */
    private static void randomize(Graph g, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Node n : g.nodes()) {
            for (int k = 1; k < n.inputs().size(); k++) {
                Tensor t = g.initializers().get(n.input(k));
                if (t == null || t.size() < 2) {
                    continue;
                }
                float[] a = t.floats();
                boolean variance = n.opType().equals("BatchNormalization") && k == 4;
                for (int i = 0; i < a.length; i++) {
                    a[i] = variance ? (float) (0.5 + r.nextDouble()) : (float) (r.nextGaussian() * 0.5);
                }
            }
        }
    }

    private static Tensor input(int channels, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(Shape.of(2, channels, H, H));
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    /** The unpruned graph with the removed classes' source slices set to zero. */
    private static Graph zeroed(Graph g, List<ChannelClass> removed) {
        Graph z = g.copy();
        for (ChannelClass c : removed) {
            for (ChannelDependencies.Binding b : c.bindings()) {
                // a constant added into the channel (a removed block's output) makes it as a source does
                if (!b.source() && !b.node().opType().equals("Add")) {
                    continue;
                }
                Tensor t = z.initializers().get(b.initializer());
                AxisSlice.of(t, b.axis(), b.index()).zero(t.floats());
            }
        }
        return z;
    }

    /** Prunes about half of every prunable group and compares with the zeroed reference. */
    private static PassResult pruneAndCompare(Graph g, int inChannels, int expectPrunableGroups) {
        ChannelDependencies deps = ChannelDependencies.of(g);
        assertEquals(expectPrunableGroups, deps.prunableGroups().size(), "prunable groups: " + describe(deps));
        ChannelPruner pruner = new ChannelPruner(Importance.l1(), 1);
        List<ChannelClass> remove = new ArrayList<>();
        for (ChannelGroup grp : deps.prunableGroups()) {
            remove.addAll(pruner.choose(g, grp, 0.5));
        }
        assertFalse(remove.isEmpty());
        PassResult r = new ChannelPruning(deps, remove).run(g);
        Graph pruned = r.graph();
        assertTrue(r.record().count("params_after") < r.record().count("params_before"));
        agreesWithZeroedAndDiffers(g, remove, pruned, input(inChannels, 3), "pruning changed nothing: the check would be vacuous");
        return r;
    }

    /**
     * The pruned graph gives the outputs of the unpruned one with the removed classes zeroed at
     * their sources, and not those of the unzeroed original (the removed channels carried signal).
     */
    private static void agreesWithZeroedAndDiffers(Graph g, List<ChannelClass> removed, Graph pruned, Tensor x,
                                                   String vacuous) {
        float[] want = new TrainingExecutor(zeroed(g, removed)).predict(x).floats();
        float[] got = new TrainingExecutor(pruned).predict(x).floats();
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + Math.abs(want[i])), "output " + i);
        }
        float[] orig = new TrainingExecutor(g).predict(x).floats();
        double diff = 0;
        for (int i = 0; i < orig.length; i++) {
            diff += Math.abs(orig[i] - got[i]);
        }
        assertTrue(diff > 1e-3, vacuous);
    }

    private static String describe(ChannelDependencies deps) {
        StringBuilder s = new StringBuilder();
        for (ChannelGroup g : deps.groups()) {
            s.append(g.name()).append(g.prunable() ? "" : " (blocked: " + g.blockedBy() + ")").append("; ");
        }
        return s.toString();
    }

    @Test
    void residualAddTiesBothBranches() {
        Graph g = build("residual", b -> {
            Value x = b.relu(b.batchNorm(b.conv(INPUT.get(), 8, 3, 1, 1, 1, false)));
            Value y = b.relu(b.batchNorm(b.conv(x, 6, 3, 1, 1, 1, false)));
            y = b.batchNorm(b.conv(y, 8, 3, 1, 1, 1, false));
            x = b.relu(b.add(x, y));
            return b.dense(b.flatten(b.globalAvgPool(x)), 5);
        }, 3);
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup stream = deps.groupOf(g.nodes().get(0).output(0));
        assertNotNull(stream);
        assertEquals(2, stream.sourceNodes().stream().filter(s -> s.startsWith("conv")).count(),
                "the residual stream is made by the first and the last conv: " + stream.sourceNodes());
        PassResult r = pruneAndCompare(g, 3, 2);
        // the stream went from 8 to 4 channels everywhere, the inner conv from 6 to 3
        Node first = r.graph().nodes().get(0);
        assertEquals(4, r.graph().type(first.output(0)).shape().dim(1));
    }

    @Test
    void concatOffsetsMapToTheirInputs() {
        Graph g = build("concat", b -> {
            Value a = b.relu(b.conv(INPUT.get(), 6, 3, 1, 1));
            Value c = b.relu(b.conv(INPUT.get(), 4, 1, 1, 0));
            Value cat = b.concat(a, c);
            return b.dense(b.flatten(b.globalAvgPool(b.conv(cat, 5, 3, 1, 1))), 3);
        }, 2);
        // both convs feed one concat: their channels are one group (offsets keep them apart)
        pruneAndCompare(g, 2, 2);
    }

    @Test
    void depthwiseConvolutionFollowsItsInput() {
        Graph g = build("depthwise", b -> {
            Value x = b.relu(b.batchNorm(b.conv(INPUT.get(), 8, 1, 1, 0, 1, false)));
            x = b.relu(b.batchNorm(b.conv(x, 8, 3, 1, 1, 8, false)));
            x = b.batchNorm(b.conv(x, 5, 1, 1, 0, 1, false));
            return b.flatten(b.globalAvgPool(x));
        }, 3);
        PassResult r = pruneAndCompare(g, 3, 1);
        Node dw = r.graph().nodes().stream().filter(n -> n.attributes().getInt("group", 1) > 1).findFirst().orElseThrow();
        assertEquals(4, dw.attributes().getInt("group", 1));
    }

    @Test
    void flattenIntoFullyConnected() {
        Graph g = build("flatten-fc", b -> {
            Value x = b.relu(b.conv(INPUT.get(), 6, 3, 1, 1));
            x = b.maxPool(x, 2);
            x = b.relu(b.dense(b.flatten(x), 7));
            return b.dense(x, 4);
        }, 2);
        PassResult r = pruneAndCompare(g, 2, 2);
        Node fc = r.graph().nodes().stream().filter(n -> n.opType().equals("Gemm")).findFirst().orElseThrow();
        assertEquals(3 * 3 * 3, r.graph().initializers().get(fc.input(1)).shape().dim(1));
    }

    @Test
    void splitSizesFollowTheirParts() {
        Graph g = build("split", b -> {
            Value x = b.relu(b.conv(INPUT.get(), 8, 3, 1, 1));
            return x;
        }, 2);
        // x -> Split(4, 4) -> conv each part -> Concat -> flatten: built by hand on the graph
        Node relu = g.nodes().get(g.nodes().size() - 1);
        String xv = relu.output(0);
        List<Node> nodes = new ArrayList<>(g.nodes());
        g.initializers().put("split_sizes", Tensor.ofLongs(Shape.of(2), 4, 4));
        nodes.add(new Node("split", OpRegistry.global().create("Split", Attributes.of("axis", 1L)),
                List.of(xv, "split_sizes"), List.of("p0", "p1")));
        SplittableRandom r = new SplittableRandom(2);
        for (int k = 0; k < 2; k++) {
            float[] w = new float[3 * 4 * 9];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            g.initializers().put("wp" + k, Tensor.of(Shape.of(3, 4, 3, 3), w));
            nodes.add(new Node("convp" + k, OpRegistry.global().create("Conv", Attributes.of("pads", new long[] {1, 1, 1, 1})),
                    List.of("p" + k, "wp" + k), List.of("q" + k)));
        }
        nodes.add(new Node("cat", OpRegistry.global().create("Concat", Attributes.of("axis", 1L)), List.of("q0", "q1"),
                List.of("cat_out")));
        nodes.add(new Node("flat", OpRegistry.global().create("Flatten", Attributes.of("axis", 1L)), List.of("cat_out"),
                List.of("z")));
        g.setNodes(nodes);
        g.setOutputs(List.of(new Value("z", null)));
        g.validate();
        PassResult res = pruneAndCompare(g, 2, 1);
        Tensor sizes = res.graph().initializers().get("split_sizes");
        assertEquals(4, sizes.getLong(0) + sizes.getLong(1), "half of 8 channels kept");
        assertEquals(res.graph().type("p0").shape().dim(1), sizes.getLong(0));
        assertEquals(res.graph().type("p1").shape().dim(1), sizes.getLong(1));
    }

    @Test
    void unknownOpBlocksItsGroupWithItsName() {
        Graph g = build("blocked", b -> {
            Value x = b.relu(b.conv(INPUT.get(), 6, 3, 1, 1));
            return b.softmax(b.flatten(x));
        }, 2);
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup grp = deps.groupOf(g.nodes().get(0).output(0));
        assertFalse(grp.prunable());
        assertTrue(grp.blockedBy().contains("graph output") || grp.blockedBy().contains("Softmax"), grp.blockedBy());
        assertTrue(deps.prunableGroups().isEmpty());
        assertThrows(InvalidInputException.class, () -> new ChannelPruning(deps, List.of(grp.classes().get(0))));
    }

    @Test
    void removingEveryChannelOfALayerIsRefused() {
        Graph g = build("all", b -> b.dense(b.flatten(b.globalAvgPool(b.relu(b.conv(INPUT.get(), 4, 3, 1, 1)))), 3), 2);
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup grp = deps.prunableGroups().get(0);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ChannelPruning(deps, grp.classes()).run(g));
        assertTrue(e.getMessage().contains("every channel"), e.getMessage());
    }

    /** conv-BN-ReLU, then a block conv-BN-ReLU-conv-BN added back to its input, then a head. */
    private static Graph residualBlock() {
        return build("block", b -> {
            Value x = b.relu(b.batchNorm(b.conv(INPUT.get(), 8, 3, 1, 1, 1, false)));
            Value y = b.relu(b.batchNorm(b.conv(x, 6, 3, 1, 1, 1, true)));
            y = b.batchNorm(b.conv(y, 8, 3, 1, 1, 1, true));
            x = b.relu(b.add(x, y));
            return b.dense(b.flatten(b.globalAvgPool(x)), 5);
        }, 3);
    }

    @Test
    void removingABlocksInnerGroupWholeRemovesTheBlock() {
        Graph g = residualBlock();
        ChannelDependencies deps = ChannelDependencies.of(g);
        Node inner = g.nodes().stream().filter(n -> n.opType().equals("Conv")).skip(1).findFirst().orElseThrow();
        ChannelGroup grp = deps.groupOf(inner.output(0));
        List<ChannelClass> remove = new ChannelPruner(Importance.l1(), 1).choose(g, grp, 1.0);
        assertEquals(6, remove.size());
        PassResult r = new ChannelPruning(deps, remove).run(g);
        Graph pruned = r.graph();
        assertEquals(1, pruned.nodes().stream().filter(n -> n.opType().equals("Conv")).count(),
                "the block's two convolutions are gone: " + pruned.nodes());
        assertEquals(0, pruned.nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).count() - 1);
        assertEquals(1, r.record().count("branches_removed"));
        // the same outputs as the unpruned graph with the inner channels zeroed at their sources:
        // the second conv then sees zeros and adds its bias through its batch norm
        Tensor x = input(3, 5);
        agreesWithZeroedAndDiffers(g, remove, pruned, x, "the block carried signal, so removing it must change the output");
        // the removed block's constant is tied to the stream: pruning the stream afterwards cuts it too
        ChannelDependencies after = ChannelDependencies.of(pruned);
        ChannelGroup stream = after.groupOf(pruned.nodes().get(0).output(0));
        List<ChannelClass> half = new ChannelPruner(Importance.l1(), 1).choose(pruned, stream, 0.5);
        Graph smaller = new ChannelPruning(after, half).run(pruned).graph();
        agreesWithZeroedAndDiffers(pruned, half, smaller, x, "pruning the stream after the block must change the output");
    }

    @Test
    void aGroupWithoutABypassCannotLoseEveryChannel() {
        // conv -> relu -> conv -> head: no Add bypasses the first conv, so emptying it would make the rest constant
        Graph g = build("chain", b -> {
            Value x = b.relu(b.conv(INPUT.get(), 6, 3, 1, 1));
            x = b.relu(b.conv(x, 4, 3, 1, 1));
            return b.dense(b.flatten(b.globalAvgPool(x)), 3);
        }, 2);
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup grp = deps.groupOf(g.nodes().get(0).output(0));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ChannelPruning(deps, grp.classes()).run(g));
        assertTrue(e.getMessage().contains("residual Add"), e.getMessage());
    }

    @Test
    void roundingKeepsAMultipleOfEight() {
        Graph g = build("round", b -> b.dense(b.flatten(b.globalAvgPool(b.relu(b.conv(INPUT.get(), 24, 3, 1, 1)))), 3), 2);
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup grp = deps.prunableGroups().get(0);
        assertEquals(24 - 16, new ChannelPruner(Importance.l1(), 8).choose(g, grp, 0.4).size(), "keep 16, not 15");
        assertEquals(24 - 15, new ChannelPruner(Importance.l1(), 1).choose(g, grp, 0.4).size());
    }

    @Test
    void resnet20PrunesThroughItsResidualStages() {
        Graph g = Zoo.build("resnet20", 1);
        randomize(g, 4);
        ChannelDependencies deps = ChannelDependencies.of(g);
        // 9 inner convs of the blocks + 3 residual streams (one per stage)
        assertEquals(12, deps.prunableGroups().size(), describe(deps));
        PassResult r = new ChannelPruner(Importance.l1(), 1).prune(g, 0.5);
        Map<String, Tensor> init = r.graph().initializers();
        assertTrue(r.graph().macs() < 0.35 * g.macs(), "MACs " + r.graph().macs() + " of " + g.macs());
        Tensor x = Tensor.zeros(Shape.of(1, 3, 32, 32));
        assertEquals(10, new TrainingExecutor(r.graph()).predict(x).size());
        assertFalse(init.isEmpty());
    }

    @Test
    void withoutRemovesIndicesAlongAnAxis() {
        Tensor t = Tensor.of(Shape.of(2, 3, 2), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        Tensor r = ChannelPruning.without(t, 1, new TreeSet<>(List.of(1)), "t");
        assertEquals(Shape.of(2, 2, 2), r.shape());
        assertEquals(List.of(0f, 1f, 4f, 5f, 6f, 7f, 10f, 11f), toList(r.floats()));
    }

    private static List<Float> toList(float[] a) {
        List<Float> r = new ArrayList<>();
        for (float v : a) {
            r.add(v);
        }
        return r;
    }
}
