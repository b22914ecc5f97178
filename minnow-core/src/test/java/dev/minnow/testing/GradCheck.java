package dev.minnow.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Finite-difference gradient check for one op. The scalar loss is L = sum_k w_k * out_k
 * over all float outputs, with fixed random weights w, so every output element matters.
 * The analytic gradient from backward is compared with central differences in float64
 * accumulation of float32 evaluations.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /**
     * Checks d L / d input for every float input index in {@code check}.
     * eps is the step; tol the allowed |analytic - numeric| / max(1, |numeric|).
     * Each op is run in the given mode (training affects BatchNorm, Dropout).
     */
    public static void check(Op op, Tensor[] inputs, int[] check, boolean training, double eps, double tol) {
        long seed = 1234;
        Tensor[] outs = op.forward(new OpContext(training, new SplittableRandom(seed)), inputs);
        SplittableRandom r = new SplittableRandom(99);
        float[][] w = new float[outs.length][];
        Tensor[] gradOut = new Tensor[outs.length];
        for (int o = 0; o < outs.length; o++) {
            if (outs[o] == null || outs[o].dtype() != DType.FLOAT32) {
                continue;
            }
            w[o] = new float[outs[o].size()];
            for (int k = 0; k < w[o].length; k++) {
                w[o][k] = (float) (r.nextDouble() * 2 - 1);
            }
            gradOut[o] = Tensor.of(outs[o].shape(), w[o].clone());
        }
        OpContext ctx = new OpContext(training, new SplittableRandom(seed));
        Tensor[] outs2 = op.forward(ctx, inputs);
        Tensor[] grads = op.backward(ctx, inputs, outs2, gradOut);
        for (int idx : check) {
            Tensor x = inputs[idx];
            float[] xs = x.floats();
            assertTrue(grads[idx] != null, op.type() + ": no gradient for input " + idx);
            float[] g = grads[idx].floats();
            assertTrue(g.length == xs.length, op.type() + ": gradient of input " + idx + " has the wrong size");
            for (int i = 0; i < xs.length; i++) {
                float saved = xs[i];
                xs[i] = (float) (saved + eps);
                double lp = loss(op, inputs, w, training, seed);
                xs[i] = (float) (saved - eps);
                double lm = loss(op, inputs, w, training, seed);
                xs[i] = saved;
                double numeric = (lp - lm) / (2 * eps);
                double err = Math.abs(g[i] - numeric) / Math.max(1, Math.abs(numeric));
                assertTrue(err <= tol, op.type() + ": d/d input" + idx + "[" + i + "] analytic " + g[i]
                        + " numeric " + numeric + " (rel err " + err + ")");
            }
        }
    }

    /** Defaults: eps 1e-2 (float32 inputs), tolerance 2e-2. */
    public static void check(Op op, Tensor[] inputs, int... check) {
        check(op, inputs, check, false, 1e-2, 2e-2);
    }

    private static double loss(Op op, Tensor[] inputs, float[][] w, boolean training, long seed) {
        Tensor[] outs = op.forward(new OpContext(training, new SplittableRandom(seed)), inputs);
        double l = 0;
        for (int o = 0; o < outs.length; o++) {
            if (w[o] == null) {
                continue;
            }
            float[] v = outs[o].floats();
            for (int k = 0; k < v.length; k++) {
                l += (double) w[o][k] * v[k];
            }
        }
        return l;
    }

    /** Uniform random tensor in [-1, 1). */
    public static Tensor random(SplittableRandom r, int... dims) {
        Tensor t = Tensor.zeros(dev.minnow.tensor.Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }
}
