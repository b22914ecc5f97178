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
    void badSettingsAreRefusedWithTheirCause() {
        assertThrows(InvalidInputException.class, () -> settings("weight", 1.0, null, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", 0.5, 0.5, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", null, 0.5, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("rows", 0.5, null, null, "oneshot"));
        assertThrows(InvalidInputException.class, () -> settings("weight", 0.5, null, null, "sometimes"));
    }
}
