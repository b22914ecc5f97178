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
 * The analytic gradient from backward is compared with central differences of float32
 * evaluations accumulated in float64, divided by the step actually taken (x + eps and
 * x - eps rounded to float32).
 * <p>
 * Why the tolerance can be tight: outputs that do not depend on the perturbed element are
 * bit-identical in both evaluations and cancel exactly, so the rounding noise of the
 * difference is about sqrt(affected outputs) * 2^-24 * |out| / eps (below 1e-4 for eps 1e-2),
 * and the truncation error of the central difference is eps^2 / 6 * |third derivative|
 * (about 2e-5 for smooth ops). An element passes when
 * |analytic - numeric| <= tol * max(|analytic|, |numeric|, FLOOR) + the rounding bound of the
 * difference ({@link #roundingNoise}): a relative error for gradients that matter, an absolute
 * error of tol * FLOOR for gradients near zero.
 */
public final class GradCheck {
    /** Gradients below this magnitude are compared absolutely (tol * FLOOR, plus the rounding noise). */
    public static final double FLOOR = 1e-2;
    /** Default step: near the optimum (3 * 2^-24 / |third derivative|)^(1/3) ~ 5e-3 for float32. */
    public static final double EPS = 1e-2;
    /** Default relative tolerance. */
    public static final double TOL = 1e-2;

    private GradCheck() {
    }

    /**
     * Checks d L / d input for every float input index in {@code check}.
     * eps is the step; tol the allowed relative error (see the class comment).
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
                float up = (float) (saved + eps);
                float down = (float) (saved - eps);
                xs[i] = up;
                float[][] outUp = outputs(op, inputs, w, training, seed);
                xs[i] = down;
                float[][] outDown = outputs(op, inputs, w, training, seed);
                xs[i] = saved;
                double step = (double) up - down;
                double numeric = (loss(w, outUp) - loss(w, outDown)) / step;
                double noise = roundingNoise(w, outUp, outDown) / step;
                double err = Math.abs(g[i] - numeric);
                double allowed = tol * Math.max(FLOOR, Math.max(Math.abs(g[i]), Math.abs(numeric))) + noise;
                assertTrue(err <= allowed, op.type() + ": d/d input" + idx + "[" + i + "] analytic " + g[i]
                        + " numeric " + numeric + " (|difference| " + err + " > " + allowed + ", of which "
                        + noise + " float32 rounding)");
            }
        }
    }

    /**
     * Bound on the rounding error of L(up) - L(down): every output element that changed is taken
     * to be within {@value #ULPS} float32 ulps (relative 2^-24 each) of its exact value; outputs
     * that did not change cancel exactly. Matters only for small steps (eps 1e-4, chosen to stay
     * clear of kinks), where it reaches 1e-4 on gradients of 1e-3.
     */
    static double roundingNoise(float[][] w, float[][] up, float[][] down) {
        double s = 0;
        for (int o = 0; o < w.length; o++) {
            if (w[o] == null) {
                continue;
            }
            for (int k = 0; k < w[o].length; k++) {
                if (up[o][k] != down[o][k]) {
                    s += Math.abs(w[o][k]) * ((double) Math.abs(up[o][k]) + Math.abs(down[o][k]));
                }
            }
        }
        return s * ULPS * 0x1p-24;
    }

    /** Rounding allowance per output element, in ulps. */
    static final int ULPS = 4;

    /** Defaults: step {@link #EPS}, tolerance {@link #TOL}, inference mode. */
    public static void check(Op op, Tensor[] inputs, int... check) {
        check(op, inputs, check, false, EPS, TOL);
    }

    /** The float outputs that enter the loss (null where w is). */
    private static float[][] outputs(Op op, Tensor[] inputs, float[][] w, boolean training, long seed) {
        Tensor[] outs = op.forward(new OpContext(training, new SplittableRandom(seed)), inputs);
        float[][] v = new float[w.length][];
        for (int o = 0; o < outs.length; o++) {
            if (w[o] != null) {
                v[o] = outs[o].floats().clone();
            }
        }
        return v;
    }

    private static double loss(float[][] w, float[][] v) {
        double l = 0;
        for (int o = 0; o < w.length; o++) {
            if (w[o] == null) {
                continue;
            }
            for (int k = 0; k < v[o].length; k++) {
                l += (double) w[o][k] * v[o][k];
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
