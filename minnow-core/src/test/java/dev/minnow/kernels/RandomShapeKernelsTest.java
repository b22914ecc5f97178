package dev.minnow.kernels;

import static dev.minnow.kernels.Conv2dTest.assertClose;
import static dev.minnow.kernels.Conv2dTest.checkAll;
import static dev.minnow.kernels.Conv2dTest.filled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fast kernels against naive twins on seeded random shapes: sizes below, at and above one
 * vector, odd sizes, channel counts off the vector width, strides, pads, dilations, 1-2 threads.
 */
class RandomShapeKernelsTest {
    /** Floats per vector (8 without the Vector API, so the sizes still straddle a block). */
    private static final int V = VectorSupport.AVAILABLE ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() : 8;

    private interface Body {
        void run(SplittableRandom rnd, int trial);
    }

    /** Runs body on trials alternating 1 and 2 threads, restoring the pool size. */
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

    /** A length around whole vectors: 1 .. 4V + 3, biased to V - 1, V, V + 1, 2V + 1. */
    private static int lengthAroundVectors(SplittableRandom rnd) {
        int[] edges = {1, V - 1, V, V + 1, 2 * V - 1, 2 * V + 1, 3 * V + 3};
        return rnd.nextBoolean() ? Math.max(1, edges[rnd.nextInt(edges.length)]) : 1 + rnd.nextInt(4 * V + 3);
    }

    @Test
    void rowSumsMatchDoubleSums() {
        // batch-norm statistics: rows = images, len = plane, stride = C * plane
        trials(51, 300, (rnd, t) -> {
            int rows = 1 + rnd.nextInt(6);
            int len = lengthAroundVectors(rnd);
            int stride = len + rnd.nextInt(3 * V);
            int off = rnd.nextInt(5);
            float[] x = GemmTest.random(rnd, off + (rows - 1) * stride + len + rnd.nextInt(3));
            float[] dy = GemmTest.random(rnd, x.length);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * 3 + 2; // an offset mean, as activations have
            }
            float mean = (float) rnd.nextDouble(0, 4);
            double s = 0;
            double sq = 0;
            double sdy = 0;
            double sdyx = 0;
            double abs = 0;
            for (int b = 0; b < rows; b++) {
                for (int i = off + b * stride, e = i + len; i < e; i++) {
                    s += x[i];
                    double d = (double) x[i] - mean;
                    sq += d * d;
                    sdy += dy[i];
                    sdyx += dy[i] * d;
                    abs += Math.abs(x[i]) + d * d + 1;
                }
            }
            double tol = 1e-6 * abs;
            String what = "rows " + rows + " len " + len + " stride " + stride + " off " + off;
            assertEquals(s, RowSums.sum(x, off, stride, rows, len), tol, "sum " + what);
            assertEquals(sq, RowSums.squaredDeviation(x, off, stride, rows, len, mean), tol, "squared deviation " + what);
            double[] g = RowSums.gradientSums(dy, x, off, stride, rows, len, mean);
            assertEquals(sdy, g[0], tol, "sum of dy " + what);
            assertEquals(sdyx, g[1], tol, "sum of dy * (x - mean) " + what);
            // the scalar chains (the path without the Vector API) on the same rows
            double s2 = 0;
            double sq2 = 0;
            double[] g2 = new double[2];
            for (int b = 0; b < rows; b++) {
                s2 += RowSums.scalarSum(x, off + b * stride, len);
                sq2 += RowSums.scalarSquaredDeviation(x, off + b * stride, len, mean);
                RowSums.scalarGradientSums(dy, x, off + b * stride, len, mean, g2);
            }
            assertEquals(s, s2, tol, "scalar sum " + what);
            assertEquals(sq, sq2, tol, "scalar squared deviation " + what);
            assertEquals(sdyx, g2[1], tol, "scalar dy sums " + what);
        });
    }

    @Test
    void intGemmMatchesLongLoops() {
        trials(52, 200, (rnd, t) -> {
            int m = rnd.nextInt(20);
            int n = rnd.nextInt(3 * V + 2);
            int k = rnd.nextInt(40);
            int aOff = rnd.nextInt(4);
            int bOff = rnd.nextInt(4);
            int cOff = rnd.nextInt(4);
            int[] a = new int[aOff + m * k];
            int[] b = new int[bOff + k * n];
            for (int i = 0; i < a.length; i++) {
                a[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(-255, 256); // zeros take the skip
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextInt(-127, 128);
            }
            int[] c = new int[cOff + m * n + 2];
            java.util.Arrays.fill(c, 99);
            int[] want = c.clone();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long s = 0;
                    for (int p = 0; p < k; p++) {
                        s += (long) a[aOff + i * k + p] * b[bOff + p * n + j];
                    }
                    want[cOff + i * n + j] = Math.toIntExact(s);
                }
            }
            IntGemm.gemm(m, n, k, a, aOff, b, bOff, c, cOff);
            assertArrayEquals(want, c, "M " + m + " N " + n + " K " + k);
        });
    }

    @Test
    void blockNormMatchesDoubleLoops() {
        trials(53, 150, (rnd, t) -> {
            int kind = rnd.nextInt(3);
            int channels = 1 + rnd.nextInt(5);
            int size = lengthAroundVectors(rnd) * (1 + rnd.nextInt(3));
            int blocks;
            int bMod;
            int bMul;
            int jDiv;
            int params;
            if (kind == 0) { // instance norm: a block per (image, channel), affine per channel
                blocks = channels * (1 + rnd.nextInt(3));
                bMod = channels;
                bMul = 1;
                jDiv = size;
                params = channels;
            } else if (kind == 1) { // group norm: a block per group holds cpg planes, affine per channel
                int cpg = 1 + rnd.nextInt(3);
                int plane = 1 + rnd.nextInt(2 * V);
                size = cpg * plane;
                blocks = channels * (1 + rnd.nextInt(2));
                bMod = channels;
                bMul = cpg;
                jDiv = plane;
                params = channels * cpg;
            } else { // layer norm: affine per position
                blocks = 1 + rnd.nextInt(6);
                bMod = 1;
                bMul = 0;
                jDiv = 1;
                params = size;
            }
            boolean centered = rnd.nextInt(4) != 0;
            float eps = 1e-5f;
            float[] x = GemmTest.random(rnd, blocks * size);
            float[] gamma = GemmTest.random(rnd, params);
            float[] beta = rnd.nextBoolean() ? GemmTest.random(rnd, params) : null;
            float[] dy = GemmTest.random(rnd, blocks * size);
            float[] y = filled(blocks * size);
            float[] mean = filled(blocks);
            float[] invStd = filled(blocks);
            BlockNorm.forward(centered, blocks, size, x, gamma, beta, bMod, bMul, jDiv, eps, y, mean, invStd);
            float[] dx = filled(blocks * size);
            float[] dgamma = filled(params);
            float[] dbeta = beta == null ? null : filled(params);
            BlockNorm.backward(centered, blocks, size, x, gamma, bMod, bMul, jDiv, mean, invStd, dy, dx, dgamma, dbeta);

            double[] wantDgamma = new double[params];
            double[] wantDbeta = new double[params];
            String what = "kind " + kind + " blocks " + blocks + " size " + size + " centered " + centered;
            for (int b = 0; b < blocks; b++) {
                int o = b * size;
                double m = 0;
                for (int j = 0; j < size; j++) {
                    m += x[o + j];
                }
                m = centered ? m / size : 0;
                double v = 0;
                for (int j = 0; j < size; j++) {
                    v += (x[o + j] - m) * (x[o + j] - m);
                }
                double is = 1 / Math.sqrt(v / size + eps);
                assertEquals(m, mean[b], 1e-6, "mean " + what);
                assertEquals(is, invStd[b], 1e-5 * is, "invStd " + what);
                double sumG = 0;
                double sumGX = 0;
                for (int j = 0; j < size; j++) {
                    int a = BlockNorm.affine(b, j, bMod, bMul, jDiv);
                    double xhat = (x[o + j] - m) * is;
                    assertEquals(xhat * gamma[a] + (beta == null ? 0 : beta[a]), y[o + j], 2e-5 * (1 + Math.abs(xhat)),
                            "y " + what);
                    double g = dy[o + j] * gamma[a];
                    sumG += g;
                    sumGX += g * xhat;
                    wantDgamma[a] += dy[o + j] * xhat;
                    wantDbeta[a] += dy[o + j];
                }
                for (int j = 0; j < size; j++) {
                    double xhat = (x[o + j] - m) * is;
                    double g = dy[o + j] * gamma[BlockNorm.affine(b, j, bMod, bMul, jDiv)];
                    double want = is * (g - (centered ? sumG / size : 0) - xhat * sumGX / size);
                    assertEquals(want, dx[o + j], 1e-4 * is * (1 + Math.abs(xhat)), "dx " + what);
                }
            }
            for (int a = 0; a < params; a++) {
                assertEquals(wantDgamma[a], dgamma[a], 1e-5 * blocks * size, "dgamma " + what);
                if (dbeta != null) {
                    assertEquals(wantDbeta[a], dbeta[a], 1e-5 * blocks * size, "dbeta " + what);
                }
            }
        });
    }

    @Test
    void shiftedRowsOnRandomGeometries() {
        if (!VectorSupport.AVAILABLE) {
            return; // shifted rows need the Vector API; the im2col path is checked elsewhere
        }
        trials(54, 60, (rnd, t) -> {
            int kh = 1 + rnd.nextInt(5);
            int kw = (kh == 1 ? 2 : 1) + rnd.nextInt(4);
            // pads usually below the kernel (the input gradient runs shifted too), sometimes not
            int limitH = rnd.nextInt(5) == 0 ? kh + 1 : kh;
            int limitW = rnd.nextInt(5) == 0 ? kw + 1 : kw;
            int pt = rnd.nextInt(limitH);
            int pb = rnd.nextInt(limitH);
            int pl = rnd.nextInt(limitW);
            int pr = rnd.nextInt(limitW);
            int h = Math.max(1, kh - pt - pb) + rnd.nextInt(9);
            // rows at most 5/4 of the output rows: W + pl + pr >= 5 (kW - 1)
            int w = Math.max(Math.max(1, kw - pl - pr), 5 * (kw - 1) - pl - pr) + rnd.nextInt(13);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(5), 4 + rnd.nextInt(13), h, w, 1 + rnd.nextInt(13), kh, kw,
                    1, 1, pt, pl, pb, pr, 1, 1, 1);
            assertTrue(Conv2d.shiftedApplies(g), "shifted rows apply to " + g);
            checkAll(rnd, g);
        });
    }

    @Test
    void depthwiseOnRandomGeometries() {
        trials(55, 80, (rnd, t) -> {
            int c = 1 + rnd.nextInt(2 * V + 2);
            int mult = 1 + rnd.nextInt(3);
            int kh = 1 + rnd.nextInt(5);
            int kw = 1 + rnd.nextInt(5);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), c, (kh - 1) * dh + 1 + rnd.nextInt(14),
                    (kw - 1) * dw + 1 + rnd.nextInt(14), c * mult, kh, kw, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                    rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), dh, dw, c);
            if (c == 1) {
                return; // one group: not depthwise
            }
            assertTrue(DepthwiseConv.applies(g), g::toString);
            checkAll(rnd, g);
        });
    }

    @Test
    void winogradF2OnRandomShapes() {
        // per-call transforms (training) and prepared weights (inference), one image split over threads
        int minPrepared = WinogradConv.minChannelsPrepared;
        int max43 = Winograd43.maxChannels;
        WinogradConv.minChannelsPrepared = 1;
        Winograd43.maxChannels = 0; // prepared weights take F(2x2) instead of F(4x4)
        try {
            trials(56, 40, (rnd, t) -> {
                ConvGeometry g = winogradShape(rnd, 1 + rnd.nextInt(2 * V + 3), 1 + rnd.nextInt(2 * V + 3));
                checkWinograd(rnd, g, false);
                if (g.outH() * g.outW() >= 64) {
                    checkWinograd(rnd, g, true);
                }
            });
        } finally {
            WinogradConv.minChannelsPrepared = minPrepared;
            Winograd43.maxChannels = max43;
        }
    }

    @Test
    void winogradF4OnRandomShapes() {
        if (!VectorSupport.AVAILABLE) {
            return; // F(4x4) is only prepared with the Vector API
        }
        int min = Winograd43.minChannels;
        int minPositions = Winograd43.minPositions;
        Winograd43.minChannels = 1;
        Winograd43.minPositions = 1;
        try {
            trials(57, 40, (rnd, t) -> {
                // channel counts around the production range too (64 .. 128, odd ones)
                boolean wide = rnd.nextInt(3) == 0;
                int c = wide ? 64 + rnd.nextInt(65) : 1 + rnd.nextInt(2 * V + 3);
                int m = wide ? 64 + rnd.nextInt(65) : 1 + rnd.nextInt(2 * V + 3);
                ConvGeometry g = winogradShape(rnd, c, m);
                assertTrue(Winograd43.applies(g), g::toString);
                checkWinograd(rnd, g, true);
            });
        } finally {
            Winograd43.minChannels = min;
            Winograd43.minPositions = minPositions;
        }
    }

    /** A 3x3 stride-1 geometry with pads 0-2 per side and planes of 1-20 outputs per axis. */
    private static ConvGeometry winogradShape(SplittableRandom rnd, int c, int m) {
        int pt = rnd.nextInt(3);
        int pl = rnd.nextInt(3);
        int pb = rnd.nextInt(3);
        int pr = rnd.nextInt(3);
        int h = Math.max(1, 3 - pt - pb) + rnd.nextInt(18);
        int w = Math.max(1, 3 - pl - pr) + rnd.nextInt(18);
        ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), c, h, w, m, 3, 3, 1, 1, pt, pl, pb, pr, 1, 1, 1);
        assertTrue(WinogradConv.shapeFits(g), g::toString);
        return g;
    }

    private static void checkWinograd(SplittableRandom rnd, ConvGeometry g, boolean prepared) {
        float[] x = GemmTest.random(rnd, g.inputSize());
        float[] w = GemmTest.random(rnd, g.weightSize());
        float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, g.outChannels()) : null;
        float[] want = new float[g.outputSize()];
        Conv2dNaive.forward(g, x, w, bias, want);
        float[] got = filled(g.outputSize());
        if (prepared) {
            Conv2d.PreparedWeights pw = Conv2d.prepare(g, w);
            assertTrue(pw.winograd() != null, "Winograd weights are prepared for " + g);
            Conv2d.forward(g, x, w, bias, got, pw);
        } else {
            Conv2d.forward(g, x, w, bias, got, Conv2d.Algorithm.WINOGRAD);
        }
        assertClose(want, got, 3e-5f * (g.inChannels() * 9 + 10), (prepared ? "prepared " : "") + "Winograd " + g);
    }

    @Test
    void intConvOnRandomGeometries() {
        trials(58, 80, (rnd, t) -> {
            int groups = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 1;
            boolean depthwise = rnd.nextInt(4) == 0;
            int cpg = depthwise ? 1 : 1 + rnd.nextInt(2 * V + 1);
            int mpg = 1 + rnd.nextInt(V + 2);
            if (depthwise) {
                groups = 2 + rnd.nextInt(2 * V);
            }
            int kh = 1 + rnd.nextInt(4);
            int kw = 1 + rnd.nextInt(4);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(2), groups * cpg, (kh - 1) * dh + 1 + rnd.nextInt(12),
                    (kw - 1) * dw + 1 + rnd.nextInt(12), groups * mpg, kh, kw, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                    rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), dh, dw, groups);
            // uint8 / int8 ranges with zero points subtracted; sometimes large enough to leave float's exact range
            int xBound = rnd.nextInt(4) == 0 ? 1 << 14 : 255;
            int[] x = new int[g.inputSize()];
            int[] w = new int[g.outChannels() * cpg * kh * kw];
            float[] xf = new float[x.length];
            float[] wf = new float[w.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(-xBound, xBound + 1);
                xf[i] = x[i];
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextInt(-127, 128);
                wf[i] = w[i];
            }
            // the naive float loops accumulate in float: exact only below 2^24, so the long
            // reference is the direct int loops checked against them on small data
            int[] direct = new int[g.outputSize()];
            IntConv2d.forward(g, x, w, direct);
            if (xBound == 255) {
                float[] naive = new float[g.outputSize()];
                Conv2dNaive.forward(g, xf, wf, null, naive);
                for (int i = 0; i < naive.length; i++) {
                    assertEquals((int) naive[i], direct[i], "direct int loops at " + i + " of " + g);
                }
            }
            int[] fast = new int[g.outputSize()];
            java.util.Arrays.fill(fast, 12345);
            IntConv2d.forwardFast(g, x, w, fast);
            assertArrayEquals(direct, fast, "fast integer convolution " + g);
        });
    }

    /** Random 8-bit codes; extremes (-128, 127, 0, 255) often, as saturated activations and weights are. */
    private static byte[] codes(SplittableRandom rnd, int n) {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) {
            int r = rnd.nextInt(8);
            v[i] = (byte) (r == 0 ? -128 : r == 1 ? 127 : r == 2 ? -1 : rnd.nextInt(256));
        }
        return v;
    }

    @Test
    void int8GemmEqualsNaive() {
        // M, N around the micro-kernel (4 x 2V) and K past one packed block (512) and odd
        trials(61, 160, (rnd, t) -> {
            int m = rnd.nextBoolean() ? 1 + rnd.nextInt(9) : 1 + rnd.nextInt(70);
            int n = lengthAroundVectors(rnd) * (rnd.nextInt(4) == 0 ? 9 : 1);
            int k = rnd.nextInt(6) == 0 ? 500 + rnd.nextInt(700) : rnd.nextInt(40);
            boolean aU = rnd.nextBoolean();
            boolean bU = !aU && rnd.nextBoolean();
            int lda = k + rnd.nextInt(3);
            int ldb = n + rnd.nextInt(3);
            int ldc = n + rnd.nextInt(3);
            int aOff = rnd.nextInt(4);
            int bOff = rnd.nextInt(4);
            byte[] a = codes(rnd, aOff + m * lda + 2);
            byte[] b = codes(rnd, bOff + k * ldb + 2);
            int[] want = new int[m * ldc + 1];
            Int8GemmNaive.gemm(m, n, k, a, aOff, lda, aU, b, bOff, ldb, bU, want, 1, ldc);
            int[] got = new int[want.length];
            java.util.Arrays.fill(got, 777);
            Int8Gemm.gemm(m, n, k, a, aOff, lda, aU, b, bOff, ldb, bU, got, 1, ldc);
            int[] got2 = new int[want.length];
            java.util.Arrays.fill(got2, 777);
            Int8Gemm.gemm(m, a, aOff, lda, aU, Int8Gemm.packCols(k, n, b, bOff, ldb, bU), got2, 1, ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    int at = 1 + i * ldc + j;
                    assertEquals(want[at], got[at], "packed A, m=" + m + " n=" + n + " k=" + k + " at " + i + "," + j);
                    assertEquals(want[at], got2[at], "packed B, m=" + m + " n=" + n + " k=" + k + " at " + i + "," + j);
                }
            }
        });
    }

    @Test
    void int8ConvEqualsIntLoops() {
        // codes with zero points (per tensor, per channel, none), uint8 / int8 on both sides,
        // grouped, depthwise, channel multipliers and plain 1x1 convolutions (read without im2col)
        trials(62, 120, (rnd, t) -> {
            int kind = rnd.nextInt(4);
            int groups = kind == 1 ? 2 + rnd.nextInt(2 * V) : rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 1;
            int cpg = kind == 1 ? 1 : 1 + rnd.nextInt(2 * V + 1);
            int mpg = kind == 1 && rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(V + 2);
            boolean plain = kind == 2;
            int kh = plain ? 1 : 1 + rnd.nextInt(4);
            int kw = plain ? 1 : 1 + rnd.nextInt(4);
            int dh = plain ? 1 : 1 + rnd.nextInt(2);
            int dw = plain ? 1 : 1 + rnd.nextInt(2);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(2), groups * cpg, (kh - 1) * dh + 1 + rnd.nextInt(12),
                    (kw - 1) * dw + 1 + rnd.nextInt(12), groups * mpg, kh, kw, plain ? 1 : 1 + rnd.nextInt(3),
                    plain ? 1 : 1 + rnd.nextInt(3), plain ? 0 : rnd.nextInt(3), plain ? 0 : rnd.nextInt(3),
                    plain ? 0 : rnd.nextInt(3), plain ? 0 : rnd.nextInt(3), dh, dw, groups);
            boolean xU = rnd.nextBoolean();
            boolean wU = rnd.nextBoolean();
            byte[] x = codes(rnd, g.inputSize());
            byte[] w = codes(rnd, g.outChannels() * cpg * kh * kw);
            int xZero = xU ? rnd.nextInt(256) : rnd.nextInt(-128, 128);
            int zpKind = rnd.nextInt(3);
            int[] wZero = new int[zpKind == 2 ? g.outChannels() : 1];
            for (int m = 0; m < wZero.length && zpKind > 0; m++) {
                wZero[m] = wU ? rnd.nextInt(256) : rnd.nextInt(-128, 128);
            }
            int per = cpg * kh * kw;
            int[] xi = new int[x.length];
            int[] wi = new int[w.length];
            for (int i = 0; i < x.length; i++) {
                xi[i] = (xU ? x[i] & 0xff : x[i]) - xZero;
            }
            for (int i = 0; i < w.length; i++) {
                wi[i] = (wU ? w[i] & 0xff : w[i]) - wZero[wZero.length == 1 ? 0 : i / per];
            }
            int[] want = new int[g.outputSize()];
            IntConv2d.forward(g, xi, wi, want);
            Int8Conv2d.Weights prepared = Int8Conv2d.prepare(w, wU, wZero, g.outChannels(), groups, per,
                    Int8Conv2d.isDepthwise(g));
            int[] got = new int[want.length];
            java.util.Arrays.fill(got, 999);
            Int8Conv2d.forward(g, x, xU, xZero, prepared, got);
            assertArrayEquals(want, got, "int8 convolution " + g + " xU=" + xU + " wU=" + wU + " zp=" + zpKind);
        });
    }

    @Test
    void int8ConvStaysExactOnLongExtremeSums() {
        // the float route is exact only below 2^24: 576- and 1,152-term sums of the largest odd products
        // (x 255, w -128 / -127 after the uint8 shift) cross it, so they must go in chunks; summed
        // whole in float they come out rounded
        for (int channels : new int[] {64, 128}) {
            ConvGeometry g = ConvGeometry.of(1, channels, 6, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            byte[] x = new byte[g.inputSize()];
            java.util.Arrays.fill(x, (byte) 255);
            byte[] w = new byte[3 * channels * 9];
            for (int i = 0; i < w.length / 3; i++) {
                w[i] = (byte) (i % 2); // codes 0 and 1: -128 and -127, so the products (and sums) are odd
            }
            SplittableRandom rnd = new SplittableRandom(channels);
            for (int i = 0; i < w.length / 3; i++) {
                w[w.length / 3 + i] = (byte) rnd.nextInt(256); // a second filter of random codes
            }
            int per = channels * 9;
            int[] xi = new int[x.length];
            int[] wi = new int[w.length];
            for (int i = 0; i < x.length; i++) {
                xi[i] = 255;
            }
            for (int i = 0; i < w.length; i++) {
                wi[i] = (w[i] & 0xff) - 128;
            }
            int[] want = new int[g.outputSize()];
            IntConv2d.forward(g, xi, wi, want);
            int[] got = new int[want.length];
            Int8Conv2d.forward(g, x, true, 0, Int8Conv2d.prepare(w, true, new int[] {128}, 3, 1, per, false), got);
            assertArrayEquals(want, got, channels + " channels");
            assertTrue(Math.abs((long) want[14]) > 1 << 24, "an interior sum of filter 0 crosses 2^24: " + want[14]);
        }
    }
}
