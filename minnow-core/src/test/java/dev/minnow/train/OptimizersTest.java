package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class OptimizersTest {
    private static final float[] GRAD = {0.5f, 0.1f};

    /** Two steps from w = (1, -2) with the constant gradient (0.5, 0.1); returns w after each step. */
    private static float[][] twoSteps(Optimizer opt) {
        Tensor w = Tensor.of(Shape.of(2), 1f, -2f);
        float[][] r = new float[2][];
        for (int s = 0; s < 2; s++) {
            opt.step(Map.of("w", w), Map.of("w", Tensor.of(Shape.of(2), GRAD.clone())), opt.learningRate());
            r[s] = w.floats().clone();
        }
        return r;
    }

    private static void assertSteps(Optimizer opt, float[] first, float[] second) {
        float[][] r = twoSteps(opt);
        assertArrayEquals(first, r[0], 1e-6f, opt.describe() + " step 1");
        assertArrayEquals(second, r[1], 1e-6f, opt.describe() + " step 2");
    }

    // Expected values worked out by hand from the update rules (see the javadoc of Optimizers).
    @Test
    void sgd() {
        assertSteps(Optimizers.sgd(0.1), new float[] {0.95f, -2.01f}, new float[] {0.9f, -2.02f});
    }

    @Test
    void sgdWithWeightDecayAndL1() {
        // step 1: g' = g + 0.1 w + 0.01 sign(w) = (0.61, -0.11)
        // step 2: w = (0.939, -1.989): g' = (0.5 + 0.0939 + 0.01, 0.1 - 0.1989 - 0.01) = (0.6039, -0.1089)
        assertSteps(Optimizers.sgd(0.1).weightDecay(0.1).l1(0.01), new float[] {0.939f, -1.989f},
                new float[] {0.939f - 0.06039f, -1.989f + 0.01089f});
    }

    @Test
    void momentumAndNesterov() {
        // v1 = g, v2 = 1.9 g
        assertSteps(Optimizers.momentum(0.1, 0.9, false), new float[] {0.95f, -2.01f}, new float[] {0.855f, -2.029f});
        // step 1 moves by 0.1 (g + 0.9 g), step 2 by 0.1 (g + 0.9 * 1.9 g) = 0.271 g
        assertSteps(Optimizers.momentum(0.1, 0.9, true), new float[] {0.905f, -2.019f}, new float[] {0.7695f, -2.0461f});
    }

    @Test
    void adagrad() {
        // s1 = g^2: step lr * sign(g); s2 = 2 g^2: step lr / sqrt(2)
        float d = (float) (0.1 / Math.sqrt(2));
        assertSteps(Optimizers.adagrad(0.1), new float[] {0.9f, -2.1f}, new float[] {0.9f - d, -2.1f - d});
    }

    @Test
    void rmsprop() {
        // s1 = 0.01 g^2 -> step 0.01 / 0.1 = 0.1; s2 = 0.0199 g^2 -> step 0.01 / sqrt(0.0199)
        float d = (float) (0.01 / Math.sqrt(0.0199));
        assertSteps(Optimizers.rmsprop(0.01), new float[] {0.9f, -2.1f}, new float[] {0.9f - d, -2.1f - d});
    }

    @Test
    void adamAndAdamW() {
        // bias-corrected m = g and v = g^2 at both steps for a constant gradient: each step is lr * sign(g)
        assertSteps(Optimizers.adam(0.1), new float[] {0.9f, -2.1f}, new float[] {0.8f, -2.2f});
        // AdamW: w *= 1 - lr * 0.1 first, then the Adam step
        assertSteps(Optimizers.adamw(0.1, 0.1), new float[] {0.89f, -2.08f}, new float[] {0.7811f, -2.1592f});
    }

    @Test
    void maskedWeightsStayExactlyZero() {
        for (Optimizer opt : new Optimizer[] {Optimizers.momentum(0.1, 0.9, true).weightDecay(0.1),
            Optimizers.adamw(0.1), Optimizers.rmsprop(0.1).l1(0.1)}) {
            Tensor w = Tensor.of(Shape.of(3), 1f, -2f, 3f);
            opt.masks(Map.of("w", Tensor.of(Shape.of(3), 0f, 1f, 0f)));
            for (int s = 0; s < 3; s++) {
                opt.step(Map.of("w", w), Map.of("w", Tensor.of(Shape.of(3), -5f, 1f, 7f)), 0.1);
                assertEquals(0f, w.floats()[0], opt.describe());
                assertEquals(0f, w.floats()[2], opt.describe());
            }
            assertEquals(true, w.floats()[1] != -2f, "unmasked weights still move");
        }
        Optimizer bad = Optimizers.sgd(0.1).masks(Map.of("w", Tensor.of(Shape.of(2), 1f, 1f)));
        assertThrows(InvalidInputException.class, () -> bad.step(Map.of("w", Tensor.of(Shape.of(3), 1f, 1f, 1f)),
                Map.of("w", Tensor.of(Shape.of(3), 1f, 1f, 1f)), 0.1));
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        for (Supplier<Optimizer> make : java.util.List.<Supplier<Optimizer>>of(() -> Optimizers.adam(0.05),
                () -> Optimizers.momentum(0.1, 0.9, false), () -> Optimizers.adagrad(0.1), () -> Optimizers.rmsprop(0.01))) {
            Optimizer a = make.get();
            Tensor wa = Tensor.of(Shape.of(2), 1f, -2f);
            for (int s = 0; s < 2; s++) {
                a.step(Map.of("w", wa), Map.of("w", Tensor.of(Shape.of(2), wa.floats()[0], 0.3f)), 0.05);
            }
            Optimizer b = make.get();
            b.loadState(a.state());
            assertEquals(2, b.steps());
            Tensor wb = wa.copy();
            a.step(Map.of("w", wa), Map.of("w", Tensor.of(Shape.of(2), 0.2f, -0.7f)), 0.05);
            b.step(Map.of("w", wb), Map.of("w", Tensor.of(Shape.of(2), 0.2f, -0.7f)), 0.05);
            assertArrayEquals(wa.floats(), wb.floats(), a.describe());
        }
    }

    @Test
    void everyOptimizerMinimizesAQuadratic() {
        // f(w) = 0.5 sum a_i (w_i - c_i)^2, gradient a (w - c), minimum at c
        float[] a = {1f, 4f, 0.5f};
        float[] c = {3f, -1f, 0.5f};
        Optimizer[] opts = {Optimizers.sgd(0.2), Optimizers.momentum(0.05, 0.9, false), Optimizers.momentum(0.05, 0.9, true),
            Optimizers.adagrad(0.5), Optimizers.rmsprop(0.01), Optimizers.adam(0.05), Optimizers.adamw(0.05, 1e-4)};
        for (Optimizer opt : opts) {
            Tensor w = Tensor.zeros(Shape.of(3));
            for (int s = 0; s < 2000; s++) {
                float[] g = new float[3];
                for (int i = 0; i < 3; i++) {
                    g[i] = a[i] * (w.floats()[i] - c[i]);
                }
                double lr = opt.learningRate() * (s < 1500 ? 1 : 0.1);
                opt.step(Map.of("w", w), Map.of("w", Tensor.of(Shape.of(3), g)), lr);
            }
            assertArrayEquals(c, w.floats(), 2e-2f, opt.describe());
        }
    }

    @Test
    void badHyperParametersAreUserErrors() {
        assertThrows(InvalidInputException.class, () -> Optimizers.sgd(0));
        assertThrows(InvalidInputException.class, () -> Optimizers.sgd(Double.NaN));
        assertThrows(InvalidInputException.class, () -> Optimizers.momentum(0.1, 1.5, false));
        assertThrows(InvalidInputException.class, () -> Optimizers.adam(0.1).weightDecay(-1));
    }
}
