package dev.minnow.compress.quant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Losses;
import dev.minnow.train.Optimizers;
import dev.minnow.train.Trainer;
import dev.minnow.zoo.Zoo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** INQ: groups of weights go to powers of two, stay there through updates, and the rest keeps training. */
class InqTest {
    static boolean powerOfTwoOrZero(float v) {
        if (v == 0) {
            return true;
        }
        double e = Math.log(Math.abs(v)) / Math.log(2);
        return Math.abs(e - Math.rint(e)) < 1e-6;
    }

    @Test
    void levelsFollowThePaper() {
        // max 1.0: n1 = floor(log2(4/3)) = 0, 4 bits: n2 = 0 + 1 - 4 = -3; levels 0, 1/8 .. 1
        assertEquals(1f, Inq.nearestLevel(1.0f, 0, -3));
        assertEquals(-0.5f, Inq.nearestLevel(-0.6f, 0, -3));
        assertEquals(0.125f, Inq.nearestLevel(0.07f, 0, -3));
        assertEquals(0f, Inq.nearestLevel(0.06f, 0, -3));
    }

    @Test
    void quantizedGroupsHoldThroughTrainingStepsAndTheRestMoves() {
        Graph g = Zoo.build("lenet5", 2);
        List<String> names = List.of("fc1.weight", "conv2.weight");
        for (String n : names) {
            assertTrue(g.initializers().containsKey(n), n);
        }
        Inq inq = new Inq(5, names);
        inq.quantizeFraction(g.initializers(), 0.5);
        assertEquals(0.5, inq.quantizedFraction("fc1.weight"), 1e-3);
        Map<String, float[]> before = new HashMap<>();
        names.forEach(n -> before.put(n, g.initializers().get(n).floats().clone()));
        // one gradient step with a fake gradient of ones everywhere
        Map<String, Tensor> grads = new HashMap<>();
        names.forEach(n -> {
            Tensor t = Tensor.zeros(g.initializers().get(n).shape());
            java.util.Arrays.fill(t.floats(), 1f);
            grads.put(n, t);
        });
        inq.beforeStep(g.initializers(), grads, 1);
        for (String n : names) {
            float[] w = g.initializers().get(n).floats();
            float[] gr = grads.get(n).floats();
            int moved = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] -= 0.01f * gr[i];
                moved += gr[i] != 0 ? 1 : 0;
            }
            assertEquals(w.length / 2, moved, 2, n + ": the float half still trains");
        }
        inq.afterStep(g.initializers(), 1);
        for (String n : names) {
            float[] w = g.initializers().get(n).floats();
            float[] b = before.get(n);
            int held = 0;
            for (int i = 0; i < w.length; i++) {
                if (w[i] == b[i]) {
                    held++;
                    assertTrue(powerOfTwoOrZero(w[i]), n + "[" + i + "] = " + w[i]);
                }
            }
            assertTrue(Math.abs(held - w.length / 2) <= 2, n + ": " + held + " held of " + w.length);
        }
        inq.quantizeFraction(g.initializers(), 1.0);
        for (String n : names) {
            for (float v : g.initializers().get(n).floats()) {
                assertTrue(powerOfTwoOrZero(v), n + " = " + v);
            }
        }
    }

    @Test
    void worksAsATrainerConstraint() {
        Graph g = Zoo.build("lenet5", 2);
        Inq inq = new Inq(5, List.of("fc1.weight"));
        inq.quantizeFraction(g.initializers(), 0.75);
        Trainer t = Trainer.of(g).constraint(inq).optimizer(Optimizers.momentum(0.01, 0.9, true)).loss(Losses.crossEntropy());
        assertTrue(t.describe().contains("inq("), t.describe());
    }
}
