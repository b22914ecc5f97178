package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API loops of {@link SparseGemm}; only touched when {@link VectorSupport#AVAILABLE}. */
final class SparseGemmVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private SparseGemmVector() {
    }

    /**
     * y[yr + q] = sum over j in [from, to) of val[j] * x[xOff + off[j] * offScale + q], q < n:
     * tiles of 8V, 4V, then V outputs held in registers across all of the row's non-zeros.
     */
    static void row(float[] val, int[] off, int offScale, int from, int to, float[] x, int xOff, float[] y, int yr, int n) {
        int q = 0;
        // eight accumulators: enough independent FMA chains to cover the FMA latency on two ports
        for (; q + 8 * V <= n; q += 8 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            FloatVector a4 = FloatVector.zero(S);
            FloatVector a5 = FloatVector.zero(S);
            FloatVector a6 = FloatVector.zero(S);
            FloatVector a7 = FloatVector.zero(S);
            for (int j = from; j < to; j++) {
                FloatVector v = FloatVector.broadcast(S, val[j]);
                int xr = xOff + off[j] * offScale + q;
                a0 = v.fma(FloatVector.fromArray(S, x, xr), a0);
                a1 = v.fma(FloatVector.fromArray(S, x, xr + V), a1);
                a2 = v.fma(FloatVector.fromArray(S, x, xr + 2 * V), a2);
                a3 = v.fma(FloatVector.fromArray(S, x, xr + 3 * V), a3);
                a4 = v.fma(FloatVector.fromArray(S, x, xr + 4 * V), a4);
                a5 = v.fma(FloatVector.fromArray(S, x, xr + 5 * V), a5);
                a6 = v.fma(FloatVector.fromArray(S, x, xr + 6 * V), a6);
                a7 = v.fma(FloatVector.fromArray(S, x, xr + 7 * V), a7);
            }
            a0.intoArray(y, yr + q);
            a1.intoArray(y, yr + q + V);
            a2.intoArray(y, yr + q + 2 * V);
            a3.intoArray(y, yr + q + 3 * V);
            a4.intoArray(y, yr + q + 4 * V);
            a5.intoArray(y, yr + q + 5 * V);
            a6.intoArray(y, yr + q + 6 * V);
            a7.intoArray(y, yr + q + 7 * V);
        }
        for (; q + 4 * V <= n; q += 4 * V) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            FloatVector a3 = FloatVector.zero(S);
            for (int j = from; j < to; j++) {
                FloatVector v = FloatVector.broadcast(S, val[j]);
                int xr = xOff + off[j] * offScale + q;
                a0 = v.fma(FloatVector.fromArray(S, x, xr), a0);
                a1 = v.fma(FloatVector.fromArray(S, x, xr + V), a1);
                a2 = v.fma(FloatVector.fromArray(S, x, xr + 2 * V), a2);
                a3 = v.fma(FloatVector.fromArray(S, x, xr + 3 * V), a3);
            }
            a0.intoArray(y, yr + q);
            a1.intoArray(y, yr + q + V);
            a2.intoArray(y, yr + q + 2 * V);
            a3.intoArray(y, yr + q + 3 * V);
        }
        for (; q + V <= n; q += V) {
            FloatVector a = FloatVector.zero(S);
            for (int j = from; j < to; j++) {
                a = FloatVector.broadcast(S, val[j]).fma(FloatVector.fromArray(S, x, xOff + off[j] * offScale + q), a);
            }
            a.intoArray(y, yr + q);
        }
        if (q < n) {
            tail(val, off, offScale, from, to, x, xOff, y, yr, q, n);
        }
    }

    /** The last n - q < V outputs under a mask (kept out of {@link #row} so its loops stay simple for C2). */
    private static void tail(float[] val, int[] off, int offScale, int from, int to, float[] x, int xOff,
                             float[] y, int yr, int q, int n) {
        VectorMask<Float> m = S.indexInRange(q, n);
        FloatVector a = FloatVector.zero(S);
        for (int j = from; j < to; j++) {
            a = FloatVector.broadcast(S, val[j]).fma(FloatVector.fromArray(S, x, xOff + off[j] * offScale + q, m), a);
        }
        a.intoArray(y, yr + q, m);
    }

    /**
     * Sum over j in [from, to) of val[j] * x[xOff + idx[j]]: V products at a time with x gathered
     * through idx; lanes summed in a fixed order (reduceLanes leaves the order open), then the tail.
     */
    static float gatherDot(float[] val, int[] idx, int from, int to, float[] x, int xOff) {
        int j = from;
        float s = 0f;
        if (to - from >= V) {
            FloatVector a = FloatVector.zero(S);
            for (; j + V <= to; j += V) {
                a = FloatVector.fromArray(S, val, j).fma(FloatVector.fromArray(S, x, xOff, idx, j), a);
            }
            for (int lane = 0; lane < V; lane++) {
                s += a.lane(lane);
            }
        }
        for (; j < to; j++) {
            s += val[j] * x[xOff + idx[j]];
        }
        return s;
    }
}
