package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Masks (1 keep, 0 prune) for the fine-grained kinds of sparsity, as pure functions of a weight:
 * unstructured magnitude, N:M semi-structured (N kept of every M consecutive input weights,
 * what sparse tensor cores run: 2:4), 3x3 kernel patterns (each kernel keeps the allowed
 * pattern that holds most of its magnitude) and whole kernels. Weight layout: [out, in, ...]
 * (Conv) or [out, in] (Gemm with transB); groups of N:M run along the input axis.
 */
public final class SparsityPatterns {
    private SparsityPatterns() {
    }

    /** Keeps the largest |w|; {@code sparsity} is the fraction set to zero (ties broken by position). */
    public static Tensor magnitude(Tensor w, double sparsity) {
        checkFraction(sparsity);
        float[] x = w.floats();
        int drop = (int) Math.round(sparsity * x.length);
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(Math.abs(x[a]), Math.abs(x[b])));
        float[] m = new float[x.length];
        java.util.Arrays.fill(m, 1f);
        for (int i = 0; i < drop; i++) {
            m[order[i]] = 0f;
        }
        return Tensor.of(w.shape(), m);
    }

    /**
     * N:M: in every run of M consecutive weights along the input axis (for one output and one
     * kernel tap), the N largest |w| stay. The input axis length must be a multiple of M.
     */
    public static Tensor nOfM(Tensor w, int n, int m) {
        if (n < 1 || m < 2 || n >= m) {
            throw new InvalidInputException("N:M sparsity needs 1 <= N < M, got " + n + ":" + m);
        }
        int[] d = w.shape().dims();
        if (d.length < 2) {
            throw new InvalidInputException("N:M sparsity needs a weight of rank >= 2, got " + w.shape());
        }
        int out = d[0];
        int in = d[1];
        int taps = 1;
        for (int i = 2; i < d.length; i++) {
            taps *= d[i];
        }
        if (in % m != 0) {
            throw new InvalidInputException("N:M sparsity " + n + ":" + m + " needs the input size " + in
                    + " to be a multiple of " + m + " (weight " + w.shape() + ")");
        }
        float[] x = w.floats();
        float[] mask = new float[x.length];
        int[] idx = new int[m];
        for (int o = 0; o < out; o++) {
            for (int t = 0; t < taps; t++) {
                for (int c0 = 0; c0 < in; c0 += m) {
                    for (int k = 0; k < m; k++) {
                        idx[k] = (o * in + c0 + k) * taps + t;
                    }
                    // keep the n largest of the m (selection by repeated max; m is small)
                    boolean[] kept = new boolean[m];
                    for (int s = 0; s < n; s++) {
                        int best = -1;
                        for (int k = 0; k < m; k++) {
                            if (!kept[k] && (best < 0 || Math.abs(x[idx[k]]) > Math.abs(x[idx[best]]))) {
                                best = k;
                            }
                        }
                        kept[best] = true;
                        mask[idx[best]] = 1f;
                    }
                }
            }
        }
        return Tensor.of(w.shape(), mask);
    }

    /**
     * The default pattern set for 3x3 kernels: the 4-entry patterns of PatDNN-style pattern
     * pruning (the centre plus three of its four neighbours, and the centre plus two neighbours
     * and one corner on the same side), 8 patterns in all.
     */
    public static List<int[]> defaultPatterns3x3() {
        int c = 4;
        int up = 1;
        int left = 3;
        int right = 5;
        int down = 7;
        List<int[]> r = new ArrayList<>();
        r.add(new int[] {c, up, left, right});
        r.add(new int[] {c, up, left, down});
        r.add(new int[] {c, up, right, down});
        r.add(new int[] {c, left, right, down});
        r.add(new int[] {c, up, left, 0});
        r.add(new int[] {c, up, right, 2});
        r.add(new int[] {c, down, left, 6});
        r.add(new int[] {c, down, right, 8});
        return r;
    }

    /** Each 3x3 kernel keeps the pattern (indices into its 9 taps) that holds the most |w|. */
    public static Tensor patterns(Tensor w, List<int[]> patterns) {
        int[] d = w.shape().dims();
        if (d.length != 4 || d[2] != 3 || d[3] != 3) {
            throw new InvalidInputException("pattern pruning needs 3x3 kernels, got weight " + w.shape());
        }
        float[] x = w.floats();
        float[] mask = new float[x.length];
        for (int k = 0; k < d[0] * d[1]; k++) {
            int best = 0;
            double bestSum = -1;
            for (int p = 0; p < patterns.size(); p++) {
                double s = 0;
                for (int tap : patterns.get(p)) {
                    s += Math.abs(x[k * 9 + tap]);
                }
                if (s > bestSum) {
                    bestSum = s;
                    best = p;
                }
            }
            for (int tap : patterns.get(best)) {
                mask[k * 9 + tap] = 1f;
            }
        }
        return Tensor.of(w.shape(), mask);
    }

    /** Whole kernels (one output x one input channel) by L1 norm: the fraction with least |w| go. */
    public static Tensor kernels(Tensor w, double sparsity) {
        checkFraction(sparsity);
        int[] d = w.shape().dims();
        int kernels = d[0] * (d.length > 1 ? d[1] : 1);
        int taps = w.size() / kernels;
        float[] x = w.floats();
        float[] norms = new float[kernels];
        for (int k = 0; k < kernels; k++) {
            for (int t = 0; t < taps; t++) {
                norms[k] += Math.abs(x[k * taps + t]);
            }
        }
        Tensor km = magnitude(Tensor.of(Shape.of(kernels), norms), sparsity);
        float[] mask = new float[x.length];
        for (int k = 0; k < kernels; k++) {
            java.util.Arrays.fill(mask, k * taps, (k + 1) * taps, km.floats()[k]);
        }
        return Tensor.of(w.shape(), mask);
    }

    /** Fraction of zeros in a mask (or weight). */
    public static double sparsity(Tensor t) {
        int z = 0;
        for (float v : t.floats()) {
            z += v == 0 ? 1 : 0;
        }
        return t.size() == 0 ? 0 : (double) z / t.size();
    }

    static void checkFraction(double s) {
        if (!(s >= 0 && s < 1)) {
            throw new InvalidInputException("sparsity must be in [0, 1), got " + s);
        }
    }
}
