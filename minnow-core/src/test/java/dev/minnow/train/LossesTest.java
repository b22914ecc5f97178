package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LossesTest {
    @Test
    void crossEntropyWithSmoothingMatchesHandComputation() {
        // logits (0, ln 3): softmax (0.25, 0.75); label 1, smoothing 0.2 over 2 classes: q = (0.1, 0.9)
        Tensor z = Tensor.of(Shape.of(1, 2), 0f, (float) Math.log(3));
        LossValue v = Losses.crossEntropy(0.2).compute(z, Targets.labels(1));
        assertEquals(-(0.1 * Math.log(0.25) + 0.9 * Math.log(0.75)), v.loss(), 1e-6);
        assertEquals(0.25 - 0.1, v.gradient().floats()[0], 1e-6);
        assertEquals(0.75 - 0.9, v.gradient().floats()[1], 1e-6);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.of(Shape.of(2, 2), 1000f, -1000f, 1000f, -1000f);
        LossValue v = Losses.crossEntropy().compute(z, Targets.labels(0, 1));
        assertEquals(1000.0, v.loss(), 1e-3, "mean of 0 and 2000");
        assertTrue(Float.isFinite(v.gradient().floats()[2]));
        assertEquals(0.5, v.gradient().floats()[2], 1e-6);
    }

    @Test
    void mseMatchesHandComputation() {
        LossValue v = Losses.mse().compute(Tensor.of(Shape.of(1, 2), 1f, 2f), Targets.values(Tensor.of(Shape.of(1, 2), 0f, 4f)));
        assertEquals(2.5, v.loss(), 1e-9);
        assertEquals(1f, v.gradient().floats()[0], 1e-7);
        assertEquals(-2f, v.gradient().floats()[1], 1e-7);
        LossValue oneHot = Losses.mse().compute(Tensor.of(Shape.of(1, 2), 1f, 2f), Targets.labels(1));
        assertEquals((1 + 1) / 2.0, oneHot.loss(), 1e-9);
    }

    @Test
    void klDivergenceIsZeroForEqualLogitsAndMatchesHandComputation() {
        Tensor z = Tensor.of(Shape.of(1, 3), 1f, 2f, 3f);
        LossValue same = Losses.klDivergence(4).compute(z, Targets.values(z));
        assertEquals(0, same.loss(), 1e-9);
        // T = 2: teacher logits (0, 2 ln 3) -> (0.25, 0.75); student (0, 0) -> (0.5, 0.5)
        LossValue v = Losses.klDivergence(2).compute(Tensor.of(Shape.of(1, 2), 0f, 0f),
                Targets.values(Tensor.of(Shape.of(1, 2), 0f, (float) (2 * Math.log(3)))));
        double kl = 0.25 * Math.log(0.25 / 0.5) + 0.75 * Math.log(0.75 / 0.5);
        assertEquals(4 * kl, v.loss(), 1e-6);
        assertEquals(2 * (0.5 - 0.25), v.gradient().floats()[0], 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor teacher = TestGraphs.random(r, 3, 3, 5);
        Targets targets = new Targets(new int[] {4, 0, 2}, teacher);
        Loss[] losses = {Losses.crossEntropy(), Losses.crossEntropy(0.1), Losses.mse(), Losses.klDivergence(1),
            Losses.klDivergence(3.5), Losses.weighted(Losses.klDivergence(2), 0.7, Losses.crossEntropy(), 0.3)};
        for (Loss loss : losses) {
            Tensor z = TestGraphs.random(r, 3, 3, 5);
            float[] g = loss.compute(z, targets).gradient().floats();
            float[] x = z.floats();
            double eps = 1e-2;
            for (int i = 0; i < x.length; i++) {
                float saved = x[i];
                x[i] = (float) (saved + eps);
                double lp = loss.compute(z, targets).loss();
                x[i] = (float) (saved - eps);
                double lm = loss.compute(z, targets).loss();
                x[i] = saved;
                double numeric = (lp - lm) / (2 * eps);
                assertEquals(numeric, g[i], 1e-3, loss.describe() + " d/dz[" + i + "]");
            }
        }
    }

    @Test
    void badLabelsAndSettingsAreUserErrors() {
        Tensor z = Tensor.of(Shape.of(1, 2), 0f, 0f);
        assertThrows(InvalidInputException.class, () -> Losses.crossEntropy().compute(z, Targets.labels(2)));
        assertThrows(InvalidInputException.class, () -> Losses.klDivergence(2).compute(z, Targets.labels(0)));
        assertThrows(InvalidInputException.class, () -> Losses.crossEntropy(1.0));
        assertThrows(InvalidInputException.class, () -> Losses.klDivergence(0));
    }
}
