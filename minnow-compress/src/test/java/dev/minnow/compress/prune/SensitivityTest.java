package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SensitivityTest {
    @Test
    void allocationPrefersTolerantLayers() {
        // layer a loses nothing up to 0.8; layer b loses 10 points per 0.2 step; same size
        double[] s = {0, 0.2, 0.4, 0.6, 0.8};
        Sensitivity.Curve a = new Sensitivity.Curve("a", s, new double[] {0.9, 0.9, 0.9, 0.9, 0.9}, 100, 0);
        Sensitivity.Curve b = new Sensitivity.Curve("b", s, new double[] {0.9, 0.8, 0.7, 0.6, 0.5}, 100, 0);
        Map<String, Double> r = Sensitivity.allocate(List.of(a, b), 0.4, false);
        assertEquals(0.8, r.get("a"), 1e-12);
        assertEquals(0.0, r.get("b"), 1e-12);
        Map<String, Double> more = Sensitivity.allocate(List.of(a, b), 0.5, false);
        assertEquals(0.2, more.get("b"), 1e-12);
        assertThrows(InvalidInputException.class, () -> Sensitivity.allocate(List.of(a, b), 0.9, false));
        assertEquals(0.85, b.accuracyAt(0.1), 1e-12);
    }

    @Test
    void lenetSweepMeasuresEveryLayerAndSparsity() {
        Graph g = Zoo.build("lenet5", 1);
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = Tensor.zeros(Shape.of(8, 1, 28, 28));
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = (float) r.nextGaussian();
        }
        float[] ref = new TrainingExecutor(g).predict(x).floats();
        // "accuracy": 1 - relative output change, a stand-in that falls as pruning grows
        int[] calls = {0};
        Sensitivity.Curve[] curves = Sensitivity.sweep(g, Sensitivity.weightLayers(g), new double[] {0.5, 0.9},
                graph -> {
                    calls[0]++;
                    float[] y = new TrainingExecutor(graph).predict(x).floats();
                    double d = 0;
                    double n = 0;
                    for (int i = 0; i < y.length; i++) {
                        d += Math.abs(y[i] - ref[i]);
                        n += Math.abs(ref[i]);
                    }
                    return 1 - d / n;
                }).toArray(new Sensitivity.Curve[0]);
        assertEquals(4, curves.length, "lenet5 has 2 convs and 2 fully connected layers");
        assertEquals(1 + 4 * 2, calls[0]);
        for (Sensitivity.Curve c : curves) {
            assertEquals(1.0, c.accuracies()[0], 1e-9);
            assertTrue(c.accuracies()[2] < c.accuracies()[1] && c.accuracies()[1] < 1.0, c.layer());
        }
        // the sweep left the graph dense
        assertEquals(0, SparsityPatterns.sparsity(g.initializers().get(g.nodes().get(0).input(1))), 1e-9);
    }

    @Test
    void channelLayersOfResnet20PruneOneGroupAtATime() {
        Graph g = Zoo.build("resnet20", 1);
        List<Sensitivity.Layer> layers = Sensitivity.channelLayers(g, Importance.l1());
        assertEquals(12, layers.size());
        long macs = g.macs();
        for (Sensitivity.Layer l : layers.subList(0, 3)) {
            assertTrue(l.params() > 0 && l.macs() > 0 && l.macs() < macs, l.name());
            Graph pruned = l.prune().apply(g, 0.5);
            long saved = macs - pruned.macs();
            // about half of the MACs of the nodes touching the group go
            assertTrue(saved > 0.3 * l.macs() && saved < 0.7 * l.macs(), l.name() + ": " + saved + " of " + l.macs());
        }
        assertEquals(macs, g.macs(), "the sweep works on copies");
    }
}
