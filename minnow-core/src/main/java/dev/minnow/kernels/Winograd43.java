package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(4x4, 3x3) for 3x3, stride 1, dilation 1, single-group convolutions with prepared
 * (inference) weights (Lavin and Gray 2015, interpolation points 0, +-1, +-2, infinity): each 4x4
 * output tile is A^T [ (G g G^T) .* (B^T d B) ] A over a 6x6 input tile d, so the 144 multiplies
 * per tile and channel pair of a direct convolution become 36, done as 36 GEMMs
 * M[xi] (M x T) = U[xi] (M x C) * V[xi] (C x T), one per position xi of the 6x6 transformed tile.
 * F(2x2, 3x3) ({@link WinogradConv}) saves 2.25x; this saves 4x, and reads 36 input values per 16
 * outputs instead of 16 per 4. The transformed weights are 4x the size of the filters, so the
 * rule keeps it to layers whose weights stay small (up to 128 channels).
 * <p>
 * One image on several threads splits its tiles into one contiguous range per thread; each thread
 * transforms, multiplies and transforms back its own tiles in chunks that stay in L2.
 */
final class Winograd43 {
    /** Least min(C, M) for this algorithm (narrower layers: the 36 GEMMs get too short). */
    static int minChannels = Integer.getInteger("minnow.winograd43MinChannels", 64);
    /** Most max(C, M): the 36 transformed planes of 256 x 256 channels are 9.4 MB and stream from memory. */
    static int maxChannels = Integer.getInteger("minnow.winograd43MaxChannels", 128);
    /** Least output positions (fewer: too few tiles for the GEMMs). */
    static int minPositions = Integer.getInteger("minnow.winograd43MinPositions", 256);
    /** Floats of v (36 x C x tiles) per chunk: 2 MB (measured at 56x56 and 28x28: 128K floats 0.63 / 0.53 ms, 256K 0.49 / 0.53, 512K 0.49 / 0.50). */
    static int chunkFloats = Integer.getInteger("minnow.winograd43ChunkFloats", 1 << 19);

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private Winograd43() {
    }

    /** The rule for prepared weights: a Winograd shape, channels in [minChannels, maxChannels], a plane of 16+ tiles. */
    static boolean applies(ConvGeometry g) {
        return WinogradConv.shapeFits(g) && Math.min(g.inChannels(), g.outChannels()) >= minChannels
                && Math.max(g.inChannels(), g.outChannels()) <= maxChannels && g.outH() * g.outW() >= minPositions;
    }

    /** The 36 transformed weight planes U[xi] (M x C), each packed for the GEMM. */
    static Gemm.PackedA[] prepare(ConvGeometry g, float[] w) {
        int C = g.inChannels();
        int M = g.outChannels();
        int plane = M * C;
        float[] u = new float[36 * plane];
        float[] t = new float[18];
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                int o = (m * C + c) * 9;
                // t = G g (6 x 3), column by column
                for (int j = 0; j < 3; j++) {
                    float g0 = w[o + j];
                    float g1 = w[o + 3 + j];
                    float g2 = w[o + 6 + j];
                    gColumn(g0, g1, g2, t, j);
                }
                // (G g) G^T (6 x 6), row by row
                float[] r = new float[6];
                for (int i = 0; i < 6; i++) {
                    gRow(t[3 * i], t[3 * i + 1], t[3 * i + 2], r);
                    for (int j = 0; j < 6; j++) {
                        u[(6 * i + j) * plane + m * C + c] = r[j];
                    }
                }
            }
        }
        Gemm.PackedA[] p = new Gemm.PackedA[36];
        for (int xi = 0; xi < 36; xi++) {
            p[xi] = Gemm.pack(false, M, C, u, xi * plane, C);
        }
        return p;
    }

    /** t[3 * i + j] = (G g)[i][j] for one column (g0, g1, g2) of g. */
    private static void gColumn(float g0, float g1, float g2, float[] t, int j) {
        t[j] = g0 / 4f;
        t[3 + j] = -(g0 + g1 + g2) / 6f;
        t[6 + j] = -(g0 - g1 + g2) / 6f;
        t[9 + j] = g0 / 24f + g1 / 12f + g2 / 6f;
        t[12 + j] = g0 / 24f - g1 / 12f + g2 / 6f;
        t[15 + j] = g2;
    }

    /** r = G (a, b, c)^T. */
    private static void gRow(float a, float b, float c, float[] r) {
        r[0] = a / 4f;
        r[1] = -(a + b + c) / 6f;
        r[2] = -(a - b + c) / 6f;
        r[3] = a / 24f + b / 12f + c / 6f;
        r[4] = a / 24f - b / 12f + c / 6f;
        r[5] = c;
    }

    /** First scratch plane of the 16 outputs of a tile in {@link #transformOutput}. */
    private static final int OUT = 42;

    /** Per-thread scratch planes of chunk tiles: 6 gathered columns + 36 row-transformed (input); 24 + 16 (output). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[58][0]);

    private static float[][] scratch(int tiles) {
        float[][] s = SCRATCH.get();
        if (s[0].length < tiles) {
            for (int i = 0; i < s.length; i++) {
                s[i] = new float[tiles];
            }
        }
        return s;
    }

    /** y = conv(x) + bias, clamped to [lo, hi], with U from {@link #prepare}. */
    static void forward(ConvGeometry g, float[] x, Gemm.PackedA[] u, float[] bias, float[] y, float lo, float hi) {
        int C = g.inChannels();
        int M = g.outChannels();
        int tilesW = (g.outW() + 3) / 4;
        int tiles = tilesW * ((g.outH() + 3) / 4);
        int threads = Parallel.threads();
        int parts = g.batch() < threads ? Math.min(threads, tiles) : 1;
        int chunk = Math.max(1, Math.min(tiles, chunkFloats / (36 * Math.max(C, M))));
        Conv2d.forEachImage(g, n -> Parallel.forRange(parts, 1, (from, to) -> {
            float[] v = Conv2d.workspace(1, 36 * C * chunk);
            float[] mm = Conv2d.workspace(2, 36 * M * chunk);
            float[][] s = scratch(chunk);
            int[] rowOf = new int[chunk];
            int[] colOf = new int[chunk];
            for (int part = from; part < to; part++) {
                int end = (int) ((long) tiles * (part + 1) / parts);
                for (int t0 = (int) ((long) tiles * part / parts); t0 < end; t0 += chunk) {
                    int tc = Math.min(chunk, end - t0);
                    for (int k = 0; k < tc; k++) {
                        rowOf[k] = 4 * ((t0 + k) / tilesW);
                        colOf[k] = 4 * ((t0 + k) % tilesW);
                    }
                    transformInput(g, x, n, rowOf, colOf, tc, v, s);
                    for (int xi = 0; xi < 36; xi++) {
                        Gemm.sgemm(u[xi], false, tc, v, xi * C * tc, tc, 0f, mm, xi * M * tc, tc);
                    }
                    transformOutput(g, mm, n, rowOf, colOf, tc, bias, lo, hi, y, s);
                }
            }
        }));
    }

    /**
     * v[xi][c][k] = (B^T d B)[xi] for the tc tiles whose top-left output is (rowOf[k], colOf[k]) (d
     * zero outside the input). Per input row r of the tiles: its six columns are gathered into
     * s[0..5], then the row transform fills s[6 + 6r + j]; the column transform then writes v.
     * Both transforms are Vector API loops over the chunk's tiles.
     */
    private static void transformInput(ConvGeometry g, float[] x, int n, int[] rowOf, int[] colOf, int tc,
                                       float[] v, float[][] s) {
        int C = g.inChannels();
        int inH = g.inH();
        int inW = g.inW();
        int padT = g.padTop();
        int padL = g.padLeft();
        int stride = C * tc;
        for (int c = 0; c < C; c++) {
            int xc = (n * C + c) * inH * inW;
            float[] s0 = s[0];
            float[] s1 = s[1];
            float[] s2 = s[2];
            float[] s3 = s[3];
            float[] s4 = s[4];
            float[] s5 = s[5];
            for (int r = 0; r < 6; r++) {
                for (int k = 0; k < tc; k++) {
                    int ih = rowOf[k] - padT + r;
                    int iw = colOf[k] - padL;
                    if (ih >= 0 && ih < inH && iw >= 0 && iw + 5 < inW) {
                        int p = xc + ih * inW + iw;
                        s0[k] = x[p];
                        s1[k] = x[p + 1];
                        s2[k] = x[p + 2];
                        s3[k] = x[p + 3];
                        s4[k] = x[p + 4];
                        s5[k] = x[p + 5];
                    } else {
                        boolean rowIn = ih >= 0 && ih < inH;
                        int p = xc + ih * inW + iw;
                        s0[k] = rowIn && iw >= 0 && iw < inW ? x[p] : 0f;
                        s1[k] = rowIn && iw + 1 >= 0 && iw + 1 < inW ? x[p + 1] : 0f;
                        s2[k] = rowIn && iw + 2 >= 0 && iw + 2 < inW ? x[p + 2] : 0f;
                        s3[k] = rowIn && iw + 3 >= 0 && iw + 3 < inW ? x[p + 3] : 0f;
                        s4[k] = rowIn && iw + 4 >= 0 && iw + 4 < inW ? x[p + 4] : 0f;
                        s5[k] = rowIn && iw + 5 >= 0 && iw + 5 < inW ? x[p + 5] : 0f;
                    }
                }
                bt(s[0], s[1], s[2], s[3], s[4], s[5], tc, s, 6 + 6 * r, 1, null, 0, 0);
            }
            for (int j = 0; j < 6; j++) {
                // column j of the row-transformed tile: rows s[6 + 6r + j]; output xi = 6i + j at v[(6i + j) * stride + c * tc]
                bt(s[6 + j], s[12 + j], s[18 + j], s[24 + j], s[30 + j], s[36 + j], tc, null, 0, 0, v,
                        j * stride + c * tc, 6 * stride);
            }
        }
    }

    /**
     * o_i = (B^T d)_i over tc tiles, d = (d0..d5): written to s[sAt + i * sStep] when s is non-null,
     * else to v[vAt + i * vStep ..].
     */
    private static void bt(float[] d0, float[] d1, float[] d2, float[] d3, float[] d4, float[] d5, int tc,
                           float[][] s, int sAt, int sStep, float[] v, int vAt, int vStep) {
        float[] o0 = s == null ? v : s[sAt];
        float[] o1 = s == null ? v : s[sAt + sStep];
        float[] o2 = s == null ? v : s[sAt + 2 * sStep];
        float[] o3 = s == null ? v : s[sAt + 3 * sStep];
        float[] o4 = s == null ? v : s[sAt + 4 * sStep];
        float[] o5 = s == null ? v : s[sAt + 5 * sStep];
        int a0 = s == null ? vAt : 0;
        int a1 = s == null ? vAt + vStep : 0;
        int a2 = s == null ? vAt + 2 * vStep : 0;
        int a3 = s == null ? vAt + 3 * vStep : 0;
        int a4 = s == null ? vAt + 4 * vStep : 0;
        int a5 = s == null ? vAt + 5 * vStep : 0;
        int k = 0;
        for (int bound = S.loopBound(tc); k < bound; k += S.length()) {
            FloatVector x0 = FloatVector.fromArray(S, d0, k);
            FloatVector x1 = FloatVector.fromArray(S, d1, k);
            FloatVector x2 = FloatVector.fromArray(S, d2, k);
            FloatVector x3 = FloatVector.fromArray(S, d3, k);
            FloatVector x4 = FloatVector.fromArray(S, d4, k);
            FloatVector x5 = FloatVector.fromArray(S, d5, k);
            x0.mul(4f).add(x4).sub(x2.mul(5f)).intoArray(o0, a0 + k);
            x3.add(x4).sub(x1.add(x2).mul(4f)).intoArray(o1, a1 + k);
            x1.sub(x2).mul(4f).add(x4).sub(x3).intoArray(o2, a2 + k);
            x3.sub(x1).mul(2f).add(x4).sub(x2).intoArray(o3, a3 + k);
            x1.sub(x3).mul(2f).add(x4).sub(x2).intoArray(o4, a4 + k);
            x1.mul(4f).add(x5).sub(x3.mul(5f)).intoArray(o5, a5 + k);
        }
        for (; k < tc; k++) {
            o0[a0 + k] = 4f * d0[k] - 5f * d2[k] + d4[k];
            o1[a1 + k] = -4f * (d1[k] + d2[k]) + d3[k] + d4[k];
            o2[a2 + k] = 4f * (d1[k] - d2[k]) - d3[k] + d4[k];
            o3[a3 + k] = 2f * (d3[k] - d1[k]) - d2[k] + d4[k];
            o4[a4 + k] = 2f * (d1[k] - d3[k]) - d2[k] + d4[k];
            o5[a5 + k] = 4f * d1[k] - 5f * d3[k] + d5[k];
        }
    }

    /**
     * y tiles = A^T m A + bias, clamped to [lo, hi] and clipped to the output size. Per output
     * channel: the column transform of each of the six rows of m into s[6i + j'] (j' < 4), the row
     * transform into s[OUT + 4i' + j'], then a scatter into the output plane.
     */
    private static void transformOutput(ConvGeometry g, float[] mm, int n, int[] rowOf, int[] colOf, int tc,
                                        float[] bias, float lo, float hi, float[] y, float[][] s) {
        int M = g.outChannels();
        int outH = g.outH();
        int outW = g.outW();
        int stride = M * tc;
        for (int m = 0; m < M; m++) {
            int yc = (n * M + m) * outH * outW;
            float b = bias == null ? 0f : bias[m];
            for (int i = 0; i < 6; i++) {
                int q = 6 * i * stride + m * tc;
                at(mm, q, stride, tc, s, 6 * i, 1, 0f);
            }
            for (int j = 0; j < 4; j++) {
                // column j' of the 6 x 4 intermediate: s[6i + j]; outputs (i', j') to s[OUT + 4i' + j]
                at(s[j], s[6 + j], s[12 + j], s[18 + j], s[24 + j], s[30 + j], tc, s, OUT + j, 4, b);
            }
            for (int i = OUT; i < OUT + 16; i++) {
                float[] o = s[i];
                for (int k = 0; k < tc; k++) {
                    o[k] = Math.min(Math.max(o[k], lo), hi);
                }
            }
            for (int i = 0; i < 4; i++) {
                float[] y0 = s[OUT + 4 * i];
                float[] y1 = s[OUT + 4 * i + 1];
                float[] y2 = s[OUT + 4 * i + 2];
                float[] y3 = s[OUT + 4 * i + 3];
                for (int k = 0; k < tc; k++) {
                    int oh = rowOf[k] + i;
                    int ow0 = colOf[k];
                    if (oh >= outH) {
                        continue;
                    }
                    int o = yc + oh * outW + ow0;
                    if (ow0 + 4 <= outW) {
                        y[o] = y0[k];
                        y[o + 1] = y1[k];
                        y[o + 2] = y2[k];
                        y[o + 3] = y3[k];
                    } else {
                        y[o] = y0[k];
                        if (ow0 + 1 < outW) {
                            y[o + 1] = y1[k];
                        }
                        if (ow0 + 2 < outW) {
                            y[o + 2] = y2[k];
                        }
                    }
                }
            }
        }
    }

    /** The column transform of one row of m (6 planes mm[q + j * stride]) into s[sAt + j' * sStep], j' < 4. */
    private static void at(float[] mm, int q, int stride, int tc, float[][] s, int sAt, int sStep, float b) {
        at(mm, q, mm, q + stride, mm, q + 2 * stride, mm, q + 3 * stride, mm, q + 4 * stride, mm, q + 5 * stride,
                tc, s, sAt, sStep, b);
    }

    /** A^T (m0..m5) over tc tiles into s[sAt + j' * sStep], j' < 4, plus b. */
    private static void at(float[] m0, float[] m1, float[] m2, float[] m3, float[] m4, float[] m5, int tc,
                           float[][] s, int sAt, int sStep, float b) {
        at(m0, 0, m1, 0, m2, 0, m3, 0, m4, 0, m5, 0, tc, s, sAt, sStep, b);
    }

    private static void at(float[] m0, int q0, float[] m1, int q1, float[] m2, int q2, float[] m3, int q3,
                           float[] m4, int q4, float[] m5, int q5, int tc, float[][] s, int sAt, int sStep, float b) {
        float[] o0 = s[sAt];
        float[] o1 = s[sAt + sStep];
        float[] o2 = s[sAt + 2 * sStep];
        float[] o3 = s[sAt + 3 * sStep];
        int k = 0;
        for (int bound = S.loopBound(tc); k < bound; k += S.length()) {
            FloatVector x1 = FloatVector.fromArray(S, m1, q1 + k);
            FloatVector x2 = FloatVector.fromArray(S, m2, q2 + k);
            FloatVector x3 = FloatVector.fromArray(S, m3, q3 + k);
            FloatVector x4 = FloatVector.fromArray(S, m4, q4 + k);
            FloatVector p12 = x1.add(x2).add(b);
            FloatVector m12 = x1.sub(x2).add(b);
            FloatVector p34 = x3.add(x4);
            FloatVector m34 = x3.sub(x4);
            FloatVector.fromArray(S, m0, q0 + k).add(p12).add(p34).intoArray(o0, k);
            m34.mul(2f).add(m12).intoArray(o1, k);
            p34.mul(4f).add(p12).intoArray(o2, k);
            m34.mul(8f).add(m12).add(FloatVector.fromArray(S, m5, q5 + k)).intoArray(o3, k);
        }
        for (; k < tc; k++) {
            float p12 = m1[q1 + k] + m2[q2 + k] + b;
            float m12 = m1[q1 + k] - m2[q2 + k] + b;
            float p34 = m3[q3 + k] + m4[q4 + k];
            float m34 = m3[q3 + k] - m4[q4 + k];
            o0[k] = m0[q0 + k] + p12 + p34;
            o1[k] = m12 + 2f * m34;
            o2[k] = p12 + 4f * p34;
            o3[k] = m12 + 8f * m34 + m5[q5 + k];
        }
    }
}
