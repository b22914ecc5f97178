package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PruneRunTest {
    private static PruneRun.Settings settings(String gran, Double s, Double macs, Double params, String schedule) {
        return new PruneRun.Settings(gran, "l1", s, macs, params, schedule, 3, 1, false);
    }

    @Test
    void iterativeWeightPruningReachesItsSparsityInSteps() {
        Graph g = Zoo.build("lenet5", 1);
        List<Integer> fineTuned = new ArrayList<>();
        PruneRun.Result r = PruneRun.run(g, settings("weight", 0.9, null, null, "iterative"),
                (graph, masks, step) -> fineTuned.add(step), null);
        assertEquals(List.of(1, 2, 3), fineTuned);
        assertEquals(0.3, r.steps().get(0).targetSparsity(), 1e-12);
        assertEquals(0.9, r.steps().get(2).targetSparsity(), 1e-12);
        for (String w : PruneRun.prunableWeights(r.graph())) {
            assertEquals(0.9, SparsityPatterns.sparsity(r.graph().initializers().get(w)), 1e-3, w);
        }
        assertEquals(PruneRun.nonZeroParams(Zoo.build("lenet5", 1)), PruneRun.nonZeroParams(g), "input untouched");
        assertTrue(r.steps().get(2).nonZeroParams() < 0.15 * PruneRun.nonZeroParams(g));
    }

    @Test
    void twoOfFourHalvesEveryEligibleLayer() {
        Graph g = Zoo.build("resnet20", 1);
        PruneRun.Result r = PruneRun.run(g, settings("2:4", null, null, null, "oneshot"), null, null);
        int halved = 0;
        for (String w : PruneRun.prunableWeights(r.graph())) {
            Tensor t = r.graph().initializers().get(w);
            if (t.shape().dim(1) % 4 == 0) {
                assertEquals(0.5, SparsityPatterns.sparsity(t), 1e-9, w);
                halved++;
            }
        }
        assertTrue(halved >= 18, "convs with 16/32/64 inputs: " + halved);
    }

    @Test
    void channelPruningMeetsAMacsTarget() {
        Graph g = Zoo.build("resnet20", 1);
        PruneRun.Result r = PruneRun.run(g, new PruneRun.Settings("channel", "l1", null, 0.5, null, "iterative", 2, 1, false),
                null, null);
        assertTrue(r.graph().macs() <= 0.5 * g.macs(), r.graph().macs() + " of " + g.macs());
        assertTrue(r.graph().macs() > 0.35 * g.macs(), "bisection should not overshoot much: " + r.graph().macs());
        assertTrue(r.steps().get(0).macs() > r.steps().get(1).macs());
    }

    @Test
    void roundedChannelCountsStillLandNearAMacsTarget() {
        Graph g = Zoo.build("resnet20", 1);
        PruneRun.Result r = PruneRun.run(g, new PruneRun.Settings("channel", "l1", null, 0.5, null, "oneshot", 1, 8, false),
                null, null);
        double kept = (double) r.graph().macs() / g.macs();
        // a uniform fraction with rounding jumped to 25% of the MACs; per-group steps stop right past 50%
        assertTrue(kept <= 0.5 && kept > 0.4, "kept " + kept + " of the MACs");
        for (var n : r.graph().nodes()) {
            if (n.opType().equals("Conv")) {
                assertEquals(0, r.graph().type(n.output(0)).shape().dim(1) % 8, n.name());
            }
        }
    }

    @Test
    void groupFractionsPruneTheNamedGroupsAndRemoveWholeBlocks() {
        Graph g = Zoo.build("resnet20", 1);
        java.util.Map<String, Double> groups = new java.util.LinkedHashMap<>();
        groups.put("layer1.1.conv1", 1.0);
        groups.put("layer3.?.conv1", 0.5);
        PruneRun.Result r = PruneRun.run(g, new PruneRun.Settings("channel", "l1", null, null, null, "oneshot", 1, 16,
                false, groups), null, null);
        Graph p = r.graph();
        assertTrue(p.nodes().stream().noneMatch(n -> n.name().startsWith("layer1.1.conv")), "block layer1.1 is gone");
        for (String conv : List.of("layer3.0.conv1", "layer3.1.conv1", "layer3.2.conv1")) {
            var n = p.nodes().stream().filter(m -> m.name().equals(conv)).findFirst().orElseThrow();
            assertEquals(32, p.initializers().get(n.input(1)).shape().dim(0), conv);
        }
        // the rest is untouched: stage 2's inner convs keep 32, the streams keep theirs
        var l21 = p.nodes().stream().filter(m -> m.name().equals("layer2.1.conv1")).findFirst().orElseThrow();
        assertEquals(32, p.initializers().get(l21.input(1)).shape().dim(0));
        long blockMacs = 2L * 16 * 16 * 9 * 32 * 32;
        long stage3Half = 3L * 2 * 64 * 32 * 9 * 8 * 8 - 32L * 32 * 9 * 8 * 8; // first conv1 reads 32 channels
        assertEquals(g.macs() - blockMacs - stage3Half, p.macs());
        assertEquals(10, new dev.minnow.train.TrainingExecutor(p).predict(Tensor.zeros(dev.minnow.tensor.Shape.of(1, 3, 32, 32))).size());
    }

    @Test
    void perLayerWeightSparsitiesAreReachedInSteps() {
        Graph g = Zoo.build("lenet5", 1);
        java.util.Map<String, Double> plan = java.util.Map.of("conv2", 0.6, "fc1", 0.9);
        PruneRun.Result r = PruneRun.run(g, new PruneRun.Settings("weight", "l1", null, null, null, "iterative", 2, 1,
                false, plan), null, null);
        java.util.Map<String, Double> reached = new java.util.HashMap<>();
        for (var n : r.graph().nodes()) {
            if (n.inputs().size() > 1 && PruneRun.prunableWeights(r.graph()).contains(n.input(1))) {
                reached.put(n.name(), SparsityPatterns.sparsity(r.graph().initializers().get(n.input(1))));
            }
        }
        assertEquals(0.6, reached.get("conv2"), 0.01);
        assertEquals(0.9, reached.get("fc1"), 0.01);
        assertEquals(0.0, reached.get("conv1"), 1e-9, "layers the plan does not name stay dense");
        assertEquals(0.45, r.steps().get(0).targetSparsity(), 1e-9, "the first of two steps reaches half the plan");
    }

    @Test
    void groupFractionsAndAMacsTargetShareTheWork() {
        Graph g = Zoo.build("resnet20", 1);
        PruneRun.Result r = PruneRun.run(g, new PruneRun.Settings("channel", "l1", null, 0.5, null, "oneshot", 1, 16,
                false, java.util.Map.of("layer1.?.conv1", 0.0)), null, null);
        Graph p = r.graph();
        assertTrue(p.macs() <= 0.5 * g.macs(), p.macs() + " of " + g.macs());
        for (String conv : List.of("layer1.0.conv1", "layer1.1.conv1", "layer1.2.conv1")) {
            var n = p.nodes().stream().filter(m -> m.name().equals(conv)).findFirst().orElseThrow();
            assertEquals(16, p.initializers().get(n.input(1)).shape().dim(0), conv + " was pinned at fraction 0");
        }
    }

    @Test
    void aGroupPatternThatNamesNothingListsTheGroups() {
        Graph g = Zoo.build("resnet20", 1);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> PruneRun.run(g,
                new PruneRun.Settings("channel", "l1", null, null, null, "oneshot", 1, 16, false,
                        java.util.Map.of("layer9.*", 0.5)), null, null));
        assertTrue(e.getMessage().contains("layer9.*") && e.getMessage().contains("layer2.1.conv1"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new PruneRun.Settings("kernel", "l1", null, null, null, "oneshot",
                1, 16, false, java.util.Map.of("conv1", 0.5)));
        assertThrows(InvalidInputException.class, () -> new PruneRun.Settings("weight", "l1", 0.5, null, null, "oneshot",
                1, 16, false, java.util.Map.of("conv1", 0.5)), "per-layer sparsities are the whole plan");
        assertThrows(InvalidInputException.class, () -> new PruneRun.Settings("weight", "l1", null, null, null, "oneshot",
                1, 16, false, java.util.Map.of("conv1", 1.0)), "a layer cannot lose every weight");
        assertThrows(InvalidInputException.class, () -> new PruneRun.Settings("channel", "l1", null, null, null, "oneshot",
                1, 16, false, java.util.Map.of("conv1", 1.5)));
    }

    @Test
    void quantizedWeightsCountAsParametersUnlessTheyEqualTheirZeroPoint() {
        for (boolean affine : new boolean[] {false, true}) {
            Graph g = new Graph("qdq");
            g.setInputs(List.of(new dev.minnow.graph.Value("x", new dev.minnow.graph.TensorType(
                    dev.minnow.tensor.DType.FLOAT32, dev.minnow.tensor.Shape.of(1, 3)))));
            int z = affine ? 128 : 0;
            long[] codes = {z, 5 + z, z, 7 + z, z - 3, z};
            Tensor w = Tensor.zeros(affine ? dev.minnow.tensor.DType.UINT8 : dev.minnow.tensor.DType.INT8,
                    dev.minnow.tensor.Shape.of(3, 2));
            for (int i = 0; i < codes.length; i++) {
                w.bytes()[i] = (byte) codes[i];
            }
            g.addInitializer("w_q", w);
            g.addInitializer("w_scale", Tensor.of(dev.minnow.tensor.Shape.of(), 0.1f));
            Tensor zp = Tensor.zeros(w.dtype(), dev.minnow.tensor.Shape.of());
            zp.bytes()[0] = (byte) z;
            g.addInitializer("w_zp", zp);
            var dq = new dev.minnow.graph.Node("dq", dev.minnow.graph.OpRegistry.global().create("DequantizeLinear",
                    new dev.minnow.graph.Attributes()), List.of("w_q", "w_scale", "w_zp"), List.of("w"));
            var mm = new dev.minnow.graph.Node("mm", dev.minnow.graph.OpRegistry.global().create("MatMul",
                    new dev.minnow.graph.Attributes()), List.of("x", "w"), List.of("y"));
            g.setNodes(List.of(dq, mm));
            g.setOutputs(List.of(new dev.minnow.graph.Value("y", null)));
            g.validate();
            assertEquals(3, PruneRun.nonZeroParams(g), affine ? "uint8 codes at the zero point 128 are zeros" : "int8");
        }
    }

    @Test
    void badSettingsAreRefusedWithTheirCause() {
        assertThrows(InvalidInputException.class, () -> settings("weight", 1.0, null, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", 0.5, 0.5, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", null, 0.5, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("rows", 0.5, null, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", 0.5, null, null, "sometimes"));
    }
}
