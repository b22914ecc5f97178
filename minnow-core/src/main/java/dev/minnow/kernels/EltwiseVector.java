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
