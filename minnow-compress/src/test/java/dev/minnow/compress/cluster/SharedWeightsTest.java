package dev.minnow.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Losses;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainResult;
import dev.minnow.train.Trainer;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedWeightsTest {
    /**
     * The paper's figure 3 on a tiny case: weights [c0, 0, c1, c0, c1, c1] with centroids
     * (0.5, -1) and the middle one pruned; one plain SGD step moves each centroid by exactly
     * lr x the sum of its members' gradients, every member follows, the pruned one stays 0.
     */
    @Test
    void centroidMovesByLrTimesTheSummedGradient() {
        Tensor w = Tensor.of(Shape.of(2, 3), 0.5f, 0f, -1f, 0.5f, -1f, -1f);
        Map<String, Tensor> params = new HashMap<>(Map.of("w", w));
        SharedWeights s = SharedWeights.of(params, Map.of("w", new int[] {0, -1, 1, 0, 1, 1}),
                Map.of("w", new float[] {0.5f, -1f}));
        Tensor g = Tensor.of(Shape.of(2, 3), 0.25f, 9f, -0.5f, 0.125f, 1f, 0.75f);
        Map<String, Tensor> grads = new HashMap<>(Map.of("w", g));
        double lr = 0.1;
        s.beforeStep(params, grads, 0);
        assertArrayEquals(new float[] {0.375f, 0f, 1.25f, 0.375f, 1.25f, 1.25f}, g.floats(), "per-cluster sums");
        Optimizers.sgd(lr).step(params, grads, lr);
        s.afterStep(params, 1);
        float c0 = (float) (0.5 - lr * (0.25 + 0.125));
        float c1 = (float) (-1 - lr * (-0.5 + 1 + 0.75));
        assertArrayEquals(new float[] {c0, 0f, c1, c0, c1, c1}, w.floats(), 1e-7f);
        assertArrayEquals(new float[] {c0, c1}, s.centroids().get("w"), 1e-7f);
    }

    /** With momentum and weight decay too, members of a cluster stay bit-identical step after step. */
    @Test
    void membersStayTiedUnderMomentumAndDecay() {
        Tensor w = Tensor.of(Shape.of(8), 0.3f, 0.3f, 0f, -0.2f, 0.3f, -0.2f, 0f, 0.3f);
        Map<String, Tensor> params = new HashMap<>(Map.of("w", w));
        SharedWeights s = SharedWeights.of(params, Map.of("w", new int[] {0, 0, -1, 1, 0, 1, -1, 0}),
                Map.of("w", new float[] {0.3f, -0.2f}));
        var opt = Optimizers.momentum(0.05, 0.9, true).weightDecay(1e-2);
        java.util.Random rnd = new java.util.Random(4);
        for (int step = 0; step < 20; step++) {
            float[] gv = new float[8];
            for (int i = 0; i < 8; i++) {
                gv[i] = (float) rnd.nextGaussian();
            }
            Map<String, Tensor> grads = new HashMap<>(Map.of("w", Tensor.of(Shape.of(8), gv)));
            s.beforeStep(params, grads, step);
            opt.step(params, grads, 0.05);
            float[] x = w.floats();
            assertEquals(x[0], x[1], 0f, "tied by the step itself, before the constraint");
            assertEquals(x[3], x[5], 0f);
            s.afterStep(params, step + 1);
            assertEquals(0f, x[2]);
            assertEquals(0f, x[6]);
        }
        assertNotEquals(0.3f, w.floats()[0]);
    }

    @Test
    void mismatchedAssignmentsAreRejected() {
        Map<String, Tensor> params = Map.of("w", Tensor.of(Shape.of(3), 1f, 2f, 3f));
        assertThrows(InvalidInputException.class, () -> SharedWeights.of(params, Map.of("w", new int[] {0, 1}),
                Map.of("w", new float[] {1f, 2f})));
        assertThrows(InvalidInputException.class, () -> SharedWeights.of(params, Map.of("w", new int[] {0, 1, 2}),
                Map.of("w", new float[] {1f, 2f})));
        assertThrows(InvalidInputException.class, () -> SharedWeights.of(params, Map.of("v", new int[] {0, 1, 0}),
                Map.of("v", new float[] {1f, 2f})));
    }

    /**
     * The seam as Deep Compression uses it: LeNet-300-100 trained one epoch, 90% pruned, 5-bit
     * clustered, fine-tuned one epoch on MNIST with summed cluster gradients. Afterwards every
     * layer has at most 32 distinct non-zero values, the zero pattern is the pruning mask, the
     * centroids moved, and accuracy holds.
     */
    @Test
    void fineTuningKeepsAtMostTwoToTheBitsValuesAndTheZeroPattern() {
        DatasetSplit mnist = Datasets.load("mnist", dataDir());
        Graph net = Zoo.build("lenet-300-100", 1);
        Trainer.of(net).optimizer(Optimizers.momentum(0.05, 0.9, true)).loss(Losses.crossEntropy())
                .schedule(LrSchedule.cosine(0)).epochs(1).batchSize(64).seed(1).threads(2).fit(mnist);
        Graph pruned = MagnitudePruning.global(0.9).prune(net).graph();
        ClusterRun.Result r = ClusterRun.run(pruned, new ClusterRun.Settings(8, 5, CentroidInit.LINEAR, 1));
        Graph g = r.graph();
        Map<String, float[]> before = new LinkedHashMap<>();
        r.sharing().centroids().forEach(before::put);
        for (ClusterRun.Layer l : r.layers()) {
            assertEquals(5, l.bits(), l.weight());
            assertTrue(ClusterRun.distinctNonZeros(g.initializers().get(l.weight())) <= 32, l.weight());
        }
        TrainResult t = Trainer.of(g).constraint(r.sharing()).optimizer(Optimizers.momentum(1e-4, 0.9, true))
                .loss(Losses.crossEntropy()).epochs(1).batchSize(64).seed(2).threads(2).fit(mnist);
        assertEquals(3, r.layers().size());
        for (ClusterRun.Layer l : r.layers()) {
            float[] w = g.initializers().get(l.weight()).floats();
            float[] p = pruned.initializers().get(l.weight()).floats();
            for (int i = 0; i < w.length; i++) {
                assertEquals(p[i] == 0, w[i] == 0, l.weight() + "[" + i + "]: zero pattern changed");
            }
            int distinct = ClusterRun.distinctNonZeros(g.initializers().get(l.weight()));
            assertTrue(distinct <= 32 && distinct > 1, l.weight() + ": " + distinct + " distinct values");
            assertTrue(!java.util.Arrays.equals(before.get(l.weight()), r.sharing().centroids().get(l.weight())),
                    l.weight() + ": centroids did not move");
        }
        double top1 = t.epochs().get(0).testTop1();
        assertTrue(top1 > 0.95, "clustered, fine-tuned LeNet-300-100: " + top1);
    }

    @Test
    void aGraphWithoutWeightsToClusterIsAUserError() {
        Graph net = Zoo.build("lenet-300-100", 1);
        net.initializers().values().forEach(t -> java.util.Arrays.fill(t.floats(), 0f));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClusterRun.run(net, new ClusterRun.Settings(8, 5, CentroidInit.LINEAR, 1)));
        assertTrue(e.getMessage().contains("no Conv, Gemm or MatMul"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new ClusterRun.Settings(9, 5, CentroidInit.LINEAR, 1));
    }

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
