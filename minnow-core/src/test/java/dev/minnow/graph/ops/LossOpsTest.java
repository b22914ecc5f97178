package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(29);

    @Test
    void nllByHand() {
        Tensor logp = f(dims(2, 3), -1, -2, -3, -4, -5, -6);
        Tensor target = longs(2, 0);
        assertEquals(3.5, run1(op("NegativeLogLikelihoodLoss"), logp, target).getDouble(0), 1e-6);
        assertEquals(7, run1(op("NegativeLogLikelihoodLoss", "reduction", "sum"), logp, target).getDouble(0), 1e-6);
        // weighted mean: (3 * 0.5 + 4 * 2) / (0.5 + 2)
        assertEquals(9.5 / 2.5, run1(op("NegativeLogLikelihoodLoss"), logp, target, f(dims(3), 2, 1, 0.5f)).getDouble(0), 1e-6);
        assertClose(new float[] {0, 4}, run1(op("NegativeLogLikelihoodLoss", "reduction", "none", "ignore_index", 2L), logp, target), 0);
    }

    @Test
    void softmaxCrossEntropyByHand() {
        Tensor scores = f(dims(1, 2), 0, (float) Math.log(3));
        Tensor[] r = run(op("SoftmaxCrossEntropyLoss"), scores, longs(1));
        assertEquals(-Math.log(0.75), r[0].getDouble(0), 1e-6);
        assertClose(new float[] {(float) Math.log(0.25), (float) Math.log(0.75)}, r[1], 1e-6);
    }

    @Test
    void gradients() {
        Tensor x = GradCheck.random(rnd, 3, 4, 2);
        Tensor t = Tensor.ofLongs(Shape.of(3, 2), 0, 3, 1, 1, 2, 0);
        Tensor w = f(dims(4), 1, 0.5f, 2, 1.5f);
        for (String red : new String[] {"mean", "sum", "none"}) {
            GradCheck.check(op("SoftmaxCrossEntropyLoss", "reduction", red), new Tensor[] {x, t, w}, 0);
            GradCheck.check(op("NegativeLogLikelihoodLoss", "reduction", red, "ignore_index", 1L), new Tensor[] {x, t, w}, 0);
        }
    }
}
