package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast SGEMM paths against the reference {@link GemmNaive}. */
class GemmTest {
    private static final int[] SIZES = {1, 2, 3, 7, 8, 13, 16, 17, 31, 33, 47, 64, 97};

    @Test
    void vectorApiIsUsedWhenPresent() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector, so the fast path must be on
        assertTrue(VectorSupport.AVAILABLE);
    }

    @Test
    void randomShapesAllTransposesMatchNaive() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int t = 0; t < 300; t++) {
            int m = SIZES[rnd.nextInt(SIZES.length)];
            int n = SIZES[rnd.nextInt(SIZES.length)];
            int k = SIZES[rnd.nextInt(SIZES.length)];
            check(rnd, rnd.nextBoolean(), rnd.nextBoolean(), m, n, k, false);
        }
    }

    @Test
    void blockedPathCrossesEveryCacheBlock() {
        // K > KC, M > MC, N > NC exercise the outer blocking loops and their edges
        SplittableRandom rnd = new SplittableRandom(11);
        check(rnd, false, false, GemmVector.MC + 5, GemmVector.NC + 19, GemmVector.KC + 3, false);
        check(rnd, true, true, 2 * GemmVector.MC + 1, 70, 2 * GemmVector.KC + 1, false);
        check(rnd, true, false, 131, 129, 300, false);
        check(rnd, false, true, 200, 45, 257, false);
    }

    /** Case t of a randomized test: the listed shapes {m, n, k} first, then random odd sizes. */
    private static int[] shape(int t, int[][] shapes, SplittableRandom rnd) {
        return t < shapes.length ? shapes[t]
                : new int[] {SIZES[rnd.nextInt(SIZES.length)], SIZES[rnd.nextInt(SIZES.length)], SIZES[rnd.nextInt(SIZES.length)]};
    }

    @Test
    void prePackedAMatchesNaive() {
        SplittableRandom rnd = new SplittableRandom(13);
        int[][] shapes = {{GemmVector.MC + 5, GemmVector.NC + 19, GemmVector.KC + 3}, {512, 49, 600}, {64, 300, 576},
            {3, 7, 5}, {17, 33, 9}, {200, 16, 257}};
        for (int t = 0; t < 40; t++) {
            int[] sh = shape(t, shapes, rnd);
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            boolean ta = rnd.nextBoolean();
            boolean tb = rnd.nextBoolean();
            int lda = (ta ? m : k) + rnd.nextInt(3);
            int ldb = (tb ? k : n) + rnd.nextInt(3);
            int aOff = rnd.nextInt(4);
            float[] a = random(rnd, aOff + (ta ? k : m) * lda);
            float[] b = random(rnd, (tb ? n : k) * ldb);
            float beta = rnd.nextBoolean() ? 0f : 1f;
            float[] c0 = random(rnd, m * n);
            float[] expect = c0.clone();
            float[] got = c0.clone();
            GemmNaive.sgemm(ta, tb, m, n, k, 1f, a, aOff, lda, b, 0, ldb, beta, expect, 0, n);
            Gemm.PackedA pa = Gemm.pack(ta, m, k, a, aOff, lda);
            Gemm.sgemm(pa, tb, n, b, 0, ldb, beta, got, 0, n);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expect[i], got[i], 1e-5f * (k + 4), "m=" + m + " n=" + n + " k=" + k + " ta=" + ta);
            }
        }
    }

    @Test
    void prePackedBAndBothPackedMatchNaive() {
        // op(B) packed once (channel-last convolution weights), with A plain or also packed, and
        // a column bias + clamp epilogue; shapes cross KC and NC and have ragged MR/NR edges
        SplittableRandom rnd = new SplittableRandom(17);
        int[][] shapes = {{49, 512, 4608 / 8}, {GemmVector.MC + 5, GemmVector.NC + 19, GemmVector.KC + 3},
            {196, 256, 300}, {8, 33, 7}, {13, 64, 1}, {3, 5, 2}};
        for (int t = 0; t < 40; t++) {
            int[] sh = shape(t, shapes, rnd);
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            boolean ta = rnd.nextBoolean();
            boolean tb = rnd.nextBoolean();
            int lda = ta ? m : k;
            int ldb = (tb ? k : n) + rnd.nextInt(3);
            int bOff = rnd.nextInt(4);
            float[] a = random(rnd, (ta ? k : m) * lda);
            float[] b = random(rnd, bOff + (tb ? n : k) * ldb);
            float[] colBias = random(rnd, n);
            float lo = -0.5f;
            float hi = 0.75f;
            float[] expect = new float[m * n];
            GemmNaive.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, bOff, ldb, 0f, expect, 0, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    expect[i * n + j] = Math.min(Math.max(expect[i * n + j] + colBias[j], lo), hi);
                }
            }
            Gemm.PackedB pb = Gemm.packB(tb, k, n, b, bOff, ldb);
            Gemm.Epilogue epi = new Gemm.Epilogue(null, 0, lo, hi, colBias);
            float[] got = new float[m * n];
            java.util.Arrays.fill(got, Float.NaN);
            Gemm.sgemm(ta, m, a, 0, lda, pb, 0f, got, 0, n, epi);
            float[] gotBoth = new float[m * n];
            java.util.Arrays.fill(gotBoth, Float.NaN);
            Gemm.sgemm(Gemm.pack(ta, m, k, a, 0, lda), pb, gotBoth, 0, n, epi);
            for (int i = 0; i < got.length; i++) {
                String what = "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb;
                assertEquals(expect[i], got[i], 1e-5f * (k + 4), "packed B, " + what);
                assertEquals(expect[i], gotBoth[i], 1e-5f * (k + 4), "both packed, " + what);
            }
        }
    }

    @Test
    void epilogueAddsRowBiasAndClampsLikeASeparatePass() {
        SplittableRandom rnd = new SplittableRandom(17);
        int[][] shapes = {{64, 300, 576}, {GemmVector.MC + 5, GemmVector.NC + 19, GemmVector.KC + 3}, {512, 49, 300},
            {1, 40, 7}, {9, 1, 1}, {13, 33, 0}};
        for (int t = 0; t < 60; t++) {
            int[] sh = shape(t, shapes, rnd);
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            float[] a = random(rnd, m * k);
            float[] b = random(rnd, k * n);
            int biasOff = rnd.nextInt(3);
            float[] bias = rnd.nextInt(4) == 0 ? null : random(rnd, biasOff + m);
            float lo = rnd.nextBoolean() ? 0f : Float.NEGATIVE_INFINITY;
            float hi = rnd.nextBoolean() ? 0.5f : Float.POSITIVE_INFINITY;
            float beta = rnd.nextBoolean() ? 0f : 1f;
            float[] colBias = rnd.nextInt(3) == 0 ? random(rnd, n) : null; // channel-last outputs
            float[] c0 = random(rnd, m * n);
            float[] expect = c0.clone();
            GemmNaive.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, beta, expect, 0, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = expect[i * n + j] + (bias == null ? 0f : bias[biasOff + i])
                            + (colBias == null ? 0f : colBias[j]);
                    expect[i * n + j] = Math.min(Math.max(v, lo), hi);
                }
            }
            Gemm.Epilogue epi = new Gemm.Epilogue(bias, biasOff, lo, hi, colBias);
            float[] packed = c0.clone();
            Gemm.sgemm(Gemm.pack(false, m, k, a, 0, k), false, n, b, 0, n, beta, packed, 0, n, epi);
            float[] plain = c0.clone();
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, beta, plain, 0, n, epi);
            for (int i = 0; i < expect.length; i++) {
                String at = "m=" + m + " n=" + n + " k=" + k + " beta=" + beta + " lo=" + lo + " hi=" + hi + " i=" + i;
                assertEquals(expect[i], packed[i], 1e-5f * (k + 4), "packed " + at);
                assertEquals(expect[i], plain[i], 1e-5f * (k + 4), "plain " + at);
            }
        }
    }

    @Test
    void scalarFallbackMatchesNaive() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int t = 0; t < 60; t++) {
            int m = SIZES[rnd.nextInt(SIZES.length)];
            int n = SIZES[rnd.nextInt(SIZES.length)];
            int k = SIZES[rnd.nextInt(SIZES.length)];
            check(rnd, rnd.nextBoolean(), rnd.nextBoolean(), m, n, k, true);
        }
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        float[] a = {1, 2, 3, 4};
        float[] b = {1, 0, 0, 1};
        float[] c = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertEquals(1f, c[0]);
        assertEquals(2f, c[1]);
        assertEquals(3f, c[2]);
        assertEquals(4f, c[3]);
    }

    @Test
    void kZeroScalesC() {
        float[] c = {1, 2, 3};
        Gemm.sgemm(false, false, 1, 3, 0, 1f, new float[0], 0, 1, new float[0], 0, 3, 2f, c, 0, 3);
        assertEquals(2f, c[0]);
        assertEquals(6f, c[2]);
    }

    private static void check(SplittableRandom rnd, boolean ta, boolean tb, int m, int n, int k, boolean scalar) {
        int lda = (ta ? m : k) + rnd.nextInt(3);
        int ldb = (tb ? k : n) + rnd.nextInt(3);
        int ldc = n + rnd.nextInt(3);
        int aOff = rnd.nextInt(4);
        int bOff = rnd.nextInt(4);
        int cOff = rnd.nextInt(4);
        float[] a = random(rnd, aOff + (ta ? k : m) * lda);
        float[] b = random(rnd, bOff + (tb ? n : k) * ldb);
        float[] c0 = random(rnd, cOff + m * ldc);
        float alpha = rnd.nextBoolean() ? 1f : (float) rnd.nextDouble(-2, 2);
        float beta = switch (rnd.nextInt(3)) {
            case 0 -> 0f;
            case 1 -> 1f;
            default -> (float) rnd.nextDouble(-2, 2);
        };
        float[] expect = c0.clone();
        float[] got = c0.clone();
        GemmNaive.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, expect, cOff, ldc);
        if (scalar) {
            GemmScalar.rows(ta, tb, 0, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, got, cOff, ldc);
        } else {
            Gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, got, cOff, ldc);
        }
        float tol = 1e-5f * (k + 4) * (Math.abs(alpha) + 1);
        for (int i = 0; i < got.length; i++) {
            int row = (i - cOff) / ldc;
            int col = (i - cOff) % ldc;
            boolean inside = i >= cOff && row < m && col < n;
            float want = inside ? expect[i] : c0[i];
            assertEquals(want, got[i], inside ? tol : 0f,
                    () -> "ta=" + ta + " tb=" + tb + " m=" + m + " n=" + n + " k=" + k + " scalar=" + scalar);
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }
}
