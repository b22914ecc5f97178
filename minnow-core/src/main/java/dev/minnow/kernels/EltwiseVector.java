package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link Eltwise} (only linked when {@link VectorSupport#AVAILABLE}). */
final class EltwiseVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private EltwiseVector() {
    }

    /** y[yo+j] = max(y[yo+j], x[xo+j]) for j < n. */
    static void max(float[] x, int xo, float[] y, int yo, int n) {
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += V) {
            FloatVector.fromArray(S, y, yo + j).max(FloatVector.fromArray(S, x, xo + j)).intoArray(y, yo + j);
        }
        if (j < n) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector.fromArray(S, y, yo + j, m).max(FloatVector.fromArray(S, x, xo + j, m)).intoArray(y, yo + j, m);
        }
    }

    private static final VectorMask<Float> EVEN = evenLanes();
    private static final VectorMask<Float> LOW_HALF = S.indexInRange(0, V / 2);

    private static VectorMask<Float> evenLanes() {
        boolean[] b = new boolean[V];
        for (int l = 0; l < V; l += 2) {
            b[l] = true;
        }
        return VectorMask.fromArray(S, b, 0);
    }

    /**
     * One output row of 2-D max pooling in one pass per axis: buf[j] = max over r < rows of
     * x[xo + r*rowStep + j] for j < rowLen, then y[yo + j] = max over k < kernel of
     * buf[s0 + j*stride + k*dil] for j < n (windows inside the row). buf needs rowLen + V slots
     * (vectors of sliding maxima may read past the row in lanes that are not stored); for stride 2
     * each keeps its even lanes (compress).
     */
    static void maxPoolRow(float[] x, int xo, int rows, int rowStep, int rowLen, float[] buf,
                           int kernel, int dil, int stride, int s0, float[] y, int yo, int n) {
        int j = 0;
        for (int bound = S.loopBound(rowLen); j < bound; j += V) {
            FloatVector v = FloatVector.fromArray(S, x, xo + j);
            for (int r = 1; r < rows; r++) {
                v = v.max(FloatVector.fromArray(S, x, xo + r * rowStep + j));
            }
            v.intoArray(buf, j);
        }
        if (j < rowLen) {
            VectorMask<Float> m = S.indexInRange(j, rowLen);
            FloatVector v = FloatVector.fromArray(S, x, xo + j, m);
            for (int r = 1; r < rows; r++) {
                v = v.max(FloatVector.fromArray(S, x, xo + r * rowStep + j, m));
            }
            v.intoArray(buf, j, m);
        }
        if (stride == 2) {
            int h = V / 2;
            for (int o = 0; o < n; o += h) {
                int b = s0 + 2 * o;
                FloatVector v = FloatVector.fromArray(S, buf, b);
                for (int k = 1; k < kernel; k++) {
                    v = v.max(FloatVector.fromArray(S, buf, b + k * dil));
                }
                v.compress(EVEN).intoArray(y, yo + o, o + h <= n ? LOW_HALF : S.indexInRange(0, n - o));
            }
            return;
        }
        if (stride == 1) {
            for (int o = 0; o < n; o += V) {
                FloatVector v = FloatVector.fromArray(S, buf, s0 + o);
                for (int k = 1; k < kernel; k++) {
                    v = v.max(FloatVector.fromArray(S, buf, s0 + o + k * dil));
                }
                v.intoArray(y, yo + o, S.indexInRange(0, n - o));
            }
            return;
        }
        for (int o = 0; o < n; o++) {
            int b = s0 + o * stride;
            float best = buf[b];
            for (int k = 1; k < kernel; k++) {
                best = Math.max(best, buf[b + k * dil]);
            }
            y[yo + o] = best;
        }
    }

    /** y[yo+j] = x[xo + 2j] for j < n: every other element, V/2 at a time by compress. */
    static void copyEven(float[] x, int xo, float[] y, int yo, int n) {
        int h = V / 2;
        int j = 0;
        // a full vector load needs x[xo + 2j .. xo + 2j + V) inside x
        for (; j + h <= n && xo + 2 * j + V <= x.length && yo + j + V <= y.length; j += h) {
            FloatVector.fromArray(S, x, xo + 2 * j).compress(EVEN).intoArray(y, yo + j, LOW_HALF);
        }
        for (; j < n; j++) {
            y[yo + j] = x[xo + 2 * j];
        }
    }

    /** y = min(max(a + b, lo), hi) over [from, to) (b nullable: then y = clamp(a)). */
    static void addClamp(float[] a, float[] b, float[] y, int from, int to, float lo, float hi) {
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int j = from;
        for (int bound = from + S.loopBound(to - from); j < bound; j += V) {
            FloatVector v = FloatVector.fromArray(S, a, j);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, j));
            }
            v.max(vlo).min(vhi).intoArray(y, j);
        }
        if (j < to) {
            VectorMask<Float> m = S.indexInRange(j, to);
            FloatVector v = FloatVector.fromArray(S, a, j, m);
            if (b != null) {
                v = v.add(FloatVector.fromArray(S, b, j, m));
            }
            v.max(vlo).min(vhi).intoArray(y, j, m);
        }
    }

    /** y = a + b over [from, to). */
    static void add(float[] a, float[] b, float[] y, int from, int to) {
        int j = from;
        for (int bound = from + S.loopBound(to - from); j < bound; j += V) {
            FloatVector.fromArray(S, a, j).add(FloatVector.fromArray(S, b, j)).intoArray(y, j);
        }
        if (j < to) {
            VectorMask<Float> m = S.indexInRange(j, to);
            FloatVector.fromArray(S, a, j, m).add(FloatVector.fromArray(S, b, j, m)).intoArray(y, j, m);
        }
    }
}
