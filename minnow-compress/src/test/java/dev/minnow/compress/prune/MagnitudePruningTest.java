package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Losses;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainResult;
import dev.minnow.train.Trainer;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MagnitudePruningTest {
    @Test
    void layerwisePruningCutsTheSmallestFractionOfEachLayerAndLeavesTheInputAlone() {
        Graph g = Zoo.build("lenet5", 1);
        float[] before = g.initializers().get("conv1.weight").floats().clone();
        MagnitudePruning.Result r = MagnitudePruning.layerwise(0.75).prune(g);
        assertArrayEquals(before, g.initializers().get("conv1.weight").floats(), "the input graph is not changed");
        PassRecord rec = r.record();
        for (String w : MagnitudePruning.prunableWeights(g)) {
            long total = rec.count("weights." + w);
            assertEquals(Math.round(0.25 * total), rec.count("kept." + w), w);
            float[] pruned = r.graph().initializers().get(w).floats();
            float[] mask = r.masks().masks().get(w).floats();
            float smallestKept = Float.POSITIVE_INFINITY;
            float largestCut = 0;
            for (int i = 0; i < pruned.length; i++) {
                float orig = Math.abs(g.initializers().get(w).floats()[i]);
                if (mask[i] == 0) {
                    assertEquals(0f, pruned[i]);
                    largestCut = Math.max(largestCut, orig);
                } else {
                    assertEquals(g.initializers().get(w).floats()[i], pruned[i]);
                    smallestKept = Math.min(smallestKept, orig);
                }
            }
            assertTrue(largestCut <= smallestKept, w + ": cut " + largestCut + " above kept " + smallestKept);
        }
        assertEquals(0.75, rec.counts().get("sparsity").doubleValue(), 1e-3);
    }

    @Test
    void globalPruningUsesOneThresholdOverAllLayers() {
        Graph g = Zoo.build("lenet5", 1);
        MagnitudePruning.Result r = MagnitudePruning.global(0.9).prune(g);
        long total = r.record().count("weights_considered");
        assertEquals(Math.round(0.9 * total), r.record().count("params_pruned"));
        float smallestKept = Float.POSITIVE_INFINITY;
        float largestCut = 0;
        for (Map.Entry<String, Tensor> e : r.masks().masks().entrySet()) {
            float[] orig = g.initializers().get(e.getKey()).floats();
            float[] m = e.getValue().floats();
            for (int i = 0; i < m.length; i++) {
                if (m[i] == 0) {
                    largestCut = Math.max(largestCut, Math.abs(orig[i]));
                } else {
                    smallestKept = Math.min(smallestKept, Math.abs(orig[i]));
                }
            }
        }
        assertTrue(largestCut <= smallestKept);
    }

    /**
     * The seam as pruning uses it: train LeNet-5 one epoch on MNIST, prune 90% of every layer's
     * weights, fine-tune one full epoch with the masks held by the constraint; the pruned weights
     * are still exactly zero and test accuracy stays above 95%.
     */
    @Test
    void aMaskKeepsNinetyPercentOfLeNet5AtZeroThroughAnEpochOnMnist() {
        DatasetSplit mnist = Datasets.load("mnist", dataDir());
        Graph net = Zoo.build("lenet5", 1);
        recipe(Trainer.of(net)).fit(mnist);
        MagnitudePruning.Result pruned = MagnitudePruning.layerwise(0.9).prune(net);
        Graph g = pruned.graph();
        TrainResult r = recipe(Trainer.of(g)).constraint(pruned.masks()).seed(2).fit(mnist);
        for (Map.Entry<String, Tensor> e : pruned.masks().masks().entrySet()) {
            float[] w = g.initializers().get(e.getKey()).floats();
            float[] m = e.getValue().floats();
            long zeros = 0;
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0) {
                    assertEquals(0f, w[i], e.getKey() + "[" + i + "]");
                }
                zeros += w[i] == 0 ? 1 : 0;
            }
            assertTrue(zeros >= Math.round(0.9 * w.length), e.getKey() + ": " + zeros + " zeros of " + w.length);
        }
        double top1 = r.epochs().get(0).testTop1();
        assertTrue(top1 > 0.95, "fine-tuned pruned LeNet-5: " + top1);
    }

    private static Trainer recipe(Trainer t) {
        return t.optimizer(Optimizers.momentum(0.02, 0.9, true)).loss(Losses.crossEntropy())
                .schedule(LrSchedule.warmup(100, LrSchedule.cosine(0))).epochs(1).batchSize(64).seed(1).threads(2);
    }

    /** MINNOW_DATA, else the surefire default (../shared/data beside the checkout), else shared/data found walking up. */
    private static Path dataDir() {
        for (String env : new String[] {"MINNOW_DATA", "MINNOW_DATA_DEFAULT"}) {
            String v = System.getenv(env);
            if (v != null && Files.isDirectory(Path.of(v, "mnist"))) {
                return Path.of(v);
            }
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/data/mnist"))) {
                return p.resolve("shared/data");
            }
        }
        throw new IllegalStateException("MNIST not found: set MINNOW_DATA to the folder holding mnist/ (../shared/data)");
    }
}
