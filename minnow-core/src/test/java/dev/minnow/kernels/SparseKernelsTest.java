package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sparse kernels against their naive twins and the dense oracles on seeded random shapes:
 * lengths around whole vectors, all-zero rows, empty (all-zero) and zero-sized weights, batch 1,
 * strides, asymmetric pads, dilations, groups, bias and clamp, 1 and 2 threads.
 */
class SparseKernelsTest {
    private static final int V = VectorSupport.AVAILABLE ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() : 8;

    private interface Body {
        void run(SplittableRandom rnd, int trial);
    }

    private static void trials(long seed, int n, Body body) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int threads = Parallel.threads();
        try {
            for (int t = 0; t < n; t++) {
                Parallel.setThreads(1 + t % 2);
                body.run(rnd, t);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static int lengthAroundVectors(SplittableRandom rnd) {
        int[] edges = {1, V - 1, V, V + 1, 4 * V - 1, 4 * V, 4 * V + 1, 5 * V + 3};
        return rnd.nextBoolean() ? Math.max(1, edges[rnd.nextInt(edges.length)]) : 1 + rnd.nextInt(6 * V);
    }

    /** Random values in [-1, 1) with about a fraction `sparsity` of exact zeros, some whole rows zero. */
    private static float[] sparse(SplittableRandom rnd, int rows, int cols, double sparsity) {
        float[] w = GemmTest.random(rnd, rows * cols);
        for (int i = 0; i < w.length; i++) {
            if (rnd.nextDouble() < sparsity) {
                w[i] = rnd.nextInt(10) == 0 ? -0f : 0f; // negative zeros are zeros too
            }
        }
        for (int r = 0; r < rows; r++) {
            if (rnd.nextInt(5) == 0) {
                java.util.Arrays.fill(w, r * cols, (r + 1) * cols, 0f);
            }
        }
        return w;
    }

    private static double sparsityOf(SplittableRandom rnd) {
        double[] s = {0, 0.5, 0.7, 0.9, 0.95, 0.99, 1};
        return s[rnd.nextInt(s.length)];
    }

    /** Float rounding of sums of k products of values in [-1, 1], plus slack for different orders. */
    private static float tol(int k) {
        return 1e-6f * (k + 4);
    }

    private static float clamp(float v, float lo, float hi) {
        return Math.min(Math.max(v, lo), hi);
    }

    @Test
    void csrKeepsExactlyTheNonZeros() {
        trials(1, 40, (rnd, t) -> {
            int rows = rnd.nextInt(7);
            int cols = rnd.nextInt(9);
            float[] a = sparse(rnd, rows, cols, sparsityOf(rnd));
            CsrMatrix m = CsrMatrix.of(a, 0, rows, cols, 1f);
            float[] back = m.toDense();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i] == 0f ? 0f : a[i], back[i], 0f);
            }
            assertEquals(CsrMatrix.zeroFraction(a), rows * cols == 0 ? 0 : m.sparsity(), 1e-12);
            CsrMatrix tr = CsrMatrix.ofTransposed(a, 0, rows, cols, 2f);
            assertEquals(cols, tr.rows());
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(2 * (a[r * cols + c] == 0f ? 0f : a[r * cols + c]), tr.toDense()[c * rows + r], 0f);
                }
            }
        });
    }

    @Test
    void multiplyMatchesNaiveTwinAndDenseGemm() {
        trials(2, 300, (rnd, t) -> {
            int rows = rnd.nextInt(12) == 0 ? 0 : 1 + rnd.nextInt(40);
            int k = rnd.nextInt(12) == 0 ? 0 : 1 + rnd.nextInt(3 * V + 5);
            int n = lengthAroundVectors(rnd);
            int ldx = n + rnd.nextInt(3);
            int ldy = n + rnd.nextInt(3);
            int xOff = rnd.nextInt(4);
            int yOff = rnd.nextInt(4);
            double sp = sparsityOf(rnd);
            float[] wd = sparse(rnd, rows, k, sp);
            float[] x = GemmTest.random(rnd, xOff + k * ldx + 2);
            float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, rows) : null;
            boolean clamp = rnd.nextBoolean();
            float lo = clamp ? 0f : Float.NEGATIVE_INFINITY;
            float hi = clamp ? 0.5f : Float.POSITIVE_INFINITY;
            CsrMatrix w = CsrMatrix.of(wd, 0, rows, k, 1f);
            float[] fast = Conv2dTest.filled(yOff + rows * ldy + 3);
            float[] naive = fast.clone();
            SparseGemm.multiply(w, x, xOff, ldx, n, bias, lo, hi, fast, yOff, ldy);
            SparseGemmNaive.multiply(w, x, xOff, ldx, n, bias, lo, hi, naive, yOff, ldy);
            String what = "rows " + rows + " k " + k + " n " + n + " sparsity " + sp + " threads " + Parallel.threads();
            float[] dense = new float[Math.max(1, rows * n)];
            if (rows > 0 && k > 0) {
                GemmNaive.sgemm(false, false, rows, n, k, 1f, wd, 0, k, x, xOff, ldx, 0f, dense, 0, n);
            }
            for (int i = 0; i < fast.length; i++) {
                int r = (i - yOff) / ldy;
                int q = (i - yOff) % ldy;
                boolean inside = i >= yOff && r < rows && q < n;
                float want = inside ? clamp(dense[r * n + q] + (bias != null ? bias[r] : 0f), lo, hi) : 7.5f;
                assertEquals(want, fast[i], tol(k), what + " at " + i);
                assertEquals(naive[i], fast[i], tol(k), what + " (naive twin) at " + i);
            }
        });
    }

    @Test
    void fullyConnectedMatchesNaiveTwinAndDenseGemm() {
        trials(3, 200, (rnd, t) -> {
            int batch = new int[] {1, 1, 2, 3, V - 1, V + 1, 64, 1 + rnd.nextInt(70)}[rnd.nextInt(8)];
            int out = rnd.nextInt(15) == 0 ? 0 : 1 + rnd.nextInt(50);
            int in = rnd.nextInt(15) == 0 ? 0 : 1 + rnd.nextInt(4 * V + 7);
            int xOff = rnd.nextInt(3);
            int yOff = rnd.nextInt(3);
            double sp = sparsityOf(rnd);
            float[] wd = sparse(rnd, out, in, sp);
            float[] x = GemmTest.random(rnd, xOff + batch * in);
            float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, out) : null;
            float lo = rnd.nextBoolean() ? 0f : Float.NEGATIVE_INFINITY;
            CsrMatrix w = CsrMatrix.of(wd, 0, out, in, 1f);
            float[] fast = Conv2dTest.filled(yOff + batch * out + 2);
            float[] naive = fast.clone();
            SparseGemm.fullyConnected(w, x, xOff, batch, bias, lo, Float.POSITIVE_INFINITY, fast, yOff);
            SparseGemmNaive.fullyConnected(w, x, xOff, batch, bias, lo, Float.POSITIVE_INFINITY, naive, yOff);
            float[] dense = new float[Math.max(1, batch * out)];
            if (out > 0 && in > 0) {
                GemmNaive.sgemm(false, true, batch, out, in, 1f, x, xOff, in, wd, 0, in, 0f, dense, 0, out);
            }
            String what = "batch " + batch + " out " + out + " in " + in + " sparsity " + sp;
            for (int i = 0; i < fast.length; i++) {
                boolean inside = i >= yOff && i < yOff + batch * out;
                float want = inside ? clamp(dense[i - yOff] + (bias != null ? bias[(i - yOff) % out] : 0f), lo,
                        Float.POSITIVE_INFINITY) : 7.5f;
                assertEquals(want, fast[i], tol(in), what + " at " + i);
                assertEquals(naive[i], fast[i], tol(in), what + " (naive twin) at " + i);
            }
        });
    }

    @Test
    void allZeroWeightsGiveTheBias() {
        CsrMatrix w = CsrMatrix.of(new float[6 * 20], 0, 6, 20, 1f);
        assertEquals(0, w.nnz());
        assertEquals(1.0, w.sparsity());
        float[] bias = {1, -2, 3, -4, 5, -6};
        for (int batch : new int[] {1, 64}) {
            float[] y = Conv2dTest.filled(batch * 6);
            SparseGemm.fullyConnected(w, GemmTest.random(new SplittableRandom(batch), batch * 20), 0, batch, bias,
                    Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y, 0);
            for (int i = 0; i < y.length; i++) {
                assertEquals(bias[i % 6], y[i], 0f);
            }
        }
        ConvGeometry g = ConvGeometry.of(2, 3, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] y = Conv2dTest.filled(g.outputSize());
        SparseConv.forward(g, GemmTest.random(new SplittableRandom(4), g.inputSize()), SparseConv.prepare(g, new float[g.weightSize()]),
                bias, 0f, Float.POSITIVE_INFINITY, y);
        for (int i = 0; i < y.length; i++) {
            assertEquals(Math.max(0f, bias[i / 25 % 6]), y[i], 0f);
        }
    }

    @Test
    void sparseConvMatchesNaiveConv() {
        trials(5, 250, (rnd, t) -> {
            int groups = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 1;
            int c = groups * (1 + rnd.nextInt(6));
            int m = groups * (1 + rnd.nextInt(9));
            int kh = 1 + rnd.nextInt(4);
            int kw = 1 + rnd.nextInt(4);
            int stride = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(2) : 1;
            int dil = rnd.nextInt(5) == 0 ? 2 : 1;
            int pt = rnd.nextInt(3);
            int pl = rnd.nextInt(3);
            int pb = rnd.nextInt(3);
            int pr = rnd.nextInt(3);
            int inH = Math.max((kh - 1) * dil + 1, 1 + rnd.nextInt(12));
            int inW = Math.max((kw - 1) * dil + 1, lengthAroundVectors(rnd) % 40 + 1);
            int batch = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 1;
            ConvGeometry g = ConvGeometry.of(batch, c, inH, inW, m, kh, kw, stride, stride, pt, pl, pb, pr, dil, dil, groups);
            double sp = sparsityOf(rnd);
            float[] w = sparse(rnd, m, g.weightSize() / m, sp);
            float[] x = GemmTest.random(rnd, g.inputSize());
            float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, m) : null;
            boolean clamp = rnd.nextBoolean();
            float lo = clamp ? 0f : Float.NEGATIVE_INFINITY;
            float hi = clamp ? 6f : Float.POSITIVE_INFINITY;
            float[] want = new float[g.outputSize()];
            Conv2dNaive.forward(g, x, w, bias, want);
            float[] got = Conv2dTest.filled(g.outputSize());
            SparseConv.Prepared p = SparseConv.prepare(g, w);
            assertEquals(SparseConv.direct(g), p.shifts() != null);
            SparseConv.forward(g, x, p, bias, lo, hi, got);
            String what = g + " sparsity " + sp + " threads " + Parallel.threads();
            for (int i = 0; i < want.length; i++) {
                assertEquals(clamp(want[i], lo, hi), got[i], tol(g.weightSize() / m), what + " at " + i);
            }
        });
    }

    @Test
    void preparedFiltersRejectAnotherGeometryButAcceptAnotherBatch() {
        ConvGeometry g = ConvGeometry.of(1, 4, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        SparseConv.Prepared p = SparseConv.prepare(g, GemmTest.random(new SplittableRandom(9), g.weightSize()));
        assertTrue(p.fits(ConvGeometry.of(7, 4, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        assertTrue(!p.fits(ConvGeometry.of(1, 4, 7, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        float[] y = new float[g.outputSize() * 2];
        ConvGeometry other = ConvGeometry.of(1, 4, 7, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SparseConv.forward(other, new float[other.inputSize()], p, null, 0f, 1f, y));
        assertArrayEquals(new float[y.length], y);
    }
}
