package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FakeQuantize's learned step (LSQ) and LowBitWeight (binary, ternary, DoReFa weights). */
class QatOpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, type, Attributes.of(kv));
    }

    /**
     * LSQ's step gradient is the exact derivative of the straight-through surrogate
     * f(s) = (clamp(x/s + c + z, qmin, qmax) - z) * s, c = round(x/s0) - x/s0 held fixed; checked
     * by central differences of that surrogate, per channel, values inside and outside the range.
     */
    @Test
    void lsqScaleGradientMatchesFiniteDifferencesOfTheSurrogate() {
        SplittableRandom r = new SplittableRandom(5);
        int channels = 3;
        int inner = 8;
        Tensor x = GradCheck.random(r, channels, inner);
        float[] xs = x.floats();
        for (int i = 0; i < xs.length; i++) {
            xs[i] *= 2.5f; // some saturate
        }
        float[] s0 = {0.11f, 0.23f, 0.07f};
        float[] z = {1f, -2f, 0f};
        long qmin = -8;
        long qmax = 7;
        double gradScale = 0.37;
        Op fq = op("FakeQuantize", "qmin", qmin, "qmax", qmax, "axis", 0L, "lsq_grad_scale", gradScale);
        Tensor s = Tensor.of(Shape.of(channels), s0.clone());
        Tensor zt = Tensor.of(Shape.of(channels), z.clone());
        float[] gy = new float[xs.length];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = (float) (r.nextDouble() * 2 - 1);
        }
        Tensor[] in = {x, s, zt};
        Tensor y = fq.forward(null, in)[0];
        float[] gs = fq.backward(null, in, new Tensor[] {y}, new Tensor[] {Tensor.of(x.shape(), gy)})[1].floats();
        double eps = 1e-4;
        int saturated = 0;
        for (int c = 0; c < channels; c++) {
            double up = 0;
            double down = 0;
            for (int i = 0; i < inner; i++) {
                int k = c * inner + i;
                double v0 = xs[k] / s0[c];
                double fixed = Math.rint(v0) - v0;
                up += gy[k] * surrogate(xs[k], s0[c] + eps, fixed, z[c], qmin, qmax);
                down += gy[k] * surrogate(xs[k], s0[c] - eps, fixed, z[c], qmin, qmax);
                double q = Math.rint(v0) + z[c];
                saturated += q < qmin || q > qmax ? 1 : 0;
            }
            double numeric = (up - down) / (2 * eps) * gradScale;
            assertEquals(numeric, gs[c], 1e-3 * Math.max(1, Math.abs(numeric)), "channel " + c);
        }
        org.junit.jupiter.api.Assertions.assertTrue(saturated > 0, "the data covers the clamped branch");
    }

    private static double surrogate(double x, double s, double fixed, double z, long qmin, long qmax) {
        double q = x / s + fixed + z;
        return (Math.min(Math.max(q, qmin), qmax) - z) * s;
    }

    @Test
    void withoutTheAttributeTheScaleGetsNoGradient() {
        Op fq = op("FakeQuantize");
        Tensor[] in = {Tensor.of(Shape.of(2), 0.3f, -0.2f), Tensor.scalar(0.1f), null};
        Tensor y = fq.forward(null, in)[0];
        assertEquals(null, fq.backward(null, in, new Tensor[] {y}, new Tensor[] {y})[1]);
        assertThrows(MinnowException.class, () -> op("FakeQuantize", "lsq_grad_scale", -1.0));
    }

    @Test
    void binaryWeightsAreSignTimesMeanAbsPerChannel() {
        Tensor w = Tensor.of(Shape.of(2, 3), 0.5f, -1f, 0f, 2f, -2f, -2f);
        Tensor y = op("LowBitWeight", "mode", "binary").forward(null, new Tensor[] {w})[0];
        float a0 = 1.5f / 3;
        assertArrayEquals(new float[] {a0, -a0, a0, 2f, -2f, -2f}, y.floats(), 1e-7f);
    }

    @Test
    void ternaryWeightsUseTheTwnThreshold() {
        // mean|w| = 1, threshold 0.7: 0.6 and -0.1 drop to 0, the rest average |w| = (1.3 + 2)/2
        Tensor w = Tensor.of(Shape.of(1, 4), 0.6f, -1.3f, -0.1f, 2f);
        Tensor y = op("LowBitWeight", "mode", "ternary").forward(null, new Tensor[] {w})[0];
        assertArrayEquals(new float[] {0f, -1.65f, 0f, 1.65f}, y.floats(), 1e-6f);
        Tensor g = Tensor.of(Shape.of(1, 4), 1, 2, 3, 4);
        Op op = op("LowBitWeight", "mode", "ternary");
        assertArrayEquals(g.floats(), op.backward(null, new Tensor[] {w}, new Tensor[] {y}, new Tensor[] {g})[0].floats(),
                "straight through");
    }

    @Test
    void dorefaLevels() {
        // 2 bits: levels -1, -1/3, 1/3, 1
        Tensor w = Tensor.of(Shape.of(4), -3f, -0.05f, 0.2f, 3f);
        float[] y = op("LowBitWeight", "mode", "dorefa", "bits", 2L).forward(null, new Tensor[] {w})[0].floats();
        assertArrayEquals(new float[] {-1f, -1f / 3, 1f / 3, 1f}, y, 1e-6f);
    }

    /** With 16 bits the rounding is far below the step, so the straight-through gradient is the true one. */
    @Test
    void dorefaGradientIncludesTheMaxNormalization() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor w = GradCheck.random(r, 3, 4);
        GradCheck.check(op("LowBitWeight", "mode", "dorefa", "bits", 16L), new Tensor[] {w}, new int[] {0}, false,
                1e-2, 2e-2);
    }

    @Test
    void badModes() {
        assertThrows(MinnowException.class, () -> op("LowBitWeight", "mode", "quaternary"));
        assertThrows(MinnowException.class, () -> op("LowBitWeight", "mode", "dorefa", "bits", 0L));
    }
}
