package dev.minnow.kernels;

/**
 * Winograd F(2x2, 3x3) for 3x3, stride 1, dilation 1, single-group convolutions (Lavin and
 * Gray 2015): each 2x2 output tile is A^T [ (G g G^T) .* (B^T d B) ] A over a 4x4 input tile d,
 * so the 36 multiplies per tile and channel pair become 16, done as 16 GEMMs
 * Mxi[M x T] = Uxi[M x C] * Vxi[C x T], one per position xi of the 4x4 transformed tile.
 * Buffers (reused per thread): u [16][M][C] (planes padded), v [16][C][tc] and m [16][M][tc] (per thread, chunks of whole
 * tile rows, tc tiles).
 */
final class WinogradConv {
    /**
     * The cost rule, fit to single-thread measurements on the project's AVX-512 machine (see
     * docs/BENCHMARKS.md): the 16 GEMMs do 16/36 of im2col's multiplies, but the transforms cost
     * per tile and channel, so Winograd only wins with many channels on both sides and enough
     * tiles for long GEMMs (won: 128ch at 56x56, 256ch at 28x28 and 56x56; lost: 32 and 64ch at
     * 56x56, 128ch at 28x28, 256ch at 14x14).
     */
    static final int MIN_CHANNELS = 128;
    /** Least min(C, M) * outH * outW for Winograd to be picked. */
    static final long MIN_CHANNEL_POSITIONS = 200_000;

    private WinogradConv() {
    }

    /** The cost rule: Winograd where it is both possible and expected to beat im2col + GEMM. */
    static boolean applies(ConvGeometry g) {
        int channels = Math.min(g.inChannels(), g.outChannels());
        return shapeFits(g) && channels >= MIN_CHANNELS
                && (long) channels * g.outH() * g.outW() >= MIN_CHANNEL_POSITIONS;
    }

    /** Least min(C, M) for Winograd with prepared (pre-transformed, packed) weights. */
    static int minChannelsPrepared = Integer.getInteger("minnow.winogradPreparedMinChannels", 64);

    /** Rule for prepared weights (inference): no per-call weight transform, so narrower layers win too. */
    static boolean appliesPrepared(ConvGeometry g) {
        return shapeFits(g) && Math.min(g.inChannels(), g.outChannels()) >= minChannelsPrepared
                && g.outH() * g.outW() >= 64;
    }

    /** Whether the algorithm can run this geometry at all. */
    static boolean shapeFits(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.groups() == 1;
    }

    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        int C = g.inChannels();
        int M = g.outChannels();
        float[] u = Conv2d.workspace(3, 16 * uStride(M, C));
        transformWeights(w, M, C, u);
        forward(g, x, u, null, bias, y);
    }

    /**
     * Transformed weights u (16 planes of M x C, {@link #uStride} apart), packed for the GEMM:
     * made once per weight array for repeated inference.
     */
    static Gemm.PackedA[] prepare(ConvGeometry g, float[] w) {
        int C = g.inChannels();
        int M = g.outChannels();
        int us = uStride(M, C);
        float[] u = new float[16 * us];
        transformWeights(w, M, C, u);
        Gemm.PackedA[] p = new Gemm.PackedA[16];
        for (int xi = 0; xi < 16; xi++) {
            p[xi] = Gemm.pack(false, M, C, u, xi * us, C);
        }
        return p;
    }

    /** Forward with prepared weights (from {@link #prepare}). */
    static void forward(ConvGeometry g, float[] x, Gemm.PackedA[] prepared, float[] bias, float[] y) {
        forward(g, x, null, prepared, bias, y);
    }

    /**
     * u: transformed weights, or null when packed holds them. One image on several threads splits
     * its tile rows into one range per thread (transforms and GEMMs of a range on its thread).
     */
    private static void forward(ConvGeometry g, float[] x, float[] u, Gemm.PackedA[] packed, float[] bias, float[] y) {
        int C = g.inChannels();
        int M = g.outChannels();
        if (packed != null && g.batch() < Parallel.threads() && 16L * M * C >= splitChannelsMinWeights) {
            forwardSplitChannels(g, x, packed, bias, y);
            return;
        }
        int uStride = uStride(M, C);
        int tilesW = (g.outW() + 1) / 2;
        int tilesH = (g.outH() + 1) / 2;
        int threads = Parallel.threads();
        int parts = g.batch() < threads && tilesH >= 2 * threads ? threads : 1;
        int rowsPerPart = (tilesH + parts - 1) / parts;
        int chunkRows = Math.min(rowsPerPart, Math.max(1, Conv2d.COL_LIMIT / (16 * Math.max(C, M) * tilesW)));
        Conv2d.forEachImage(g, n -> Parallel.forRange(parts, 1, (from, to) -> {
            float[] v = Conv2d.workspace(1, 16 * C * chunkRows * tilesW);
            float[] mm = Conv2d.workspace(2, 16 * M * chunkRows * tilesW);
            float[][] scratch = new float[20][chunkRows * tilesW];
            for (int part = from; part < to; part++) {
                int end = Math.min(tilesH, (part + 1) * rowsPerPart);
                for (int th0 = part * rowsPerPart; th0 < end; th0 += chunkRows) {
                    int th1 = Math.min(end, th0 + chunkRows);
                    int tc = (th1 - th0) * tilesW;
                    transformInput(g, x, n, th0, th1, tilesW, v, scratch);
                    for (int xi = 0; xi < 16; xi++) {
                        if (packed != null) {
                            Gemm.sgemm(packed[xi], false, tc, v, xi * C * tc, tc, 0f, mm, xi * M * tc, tc);
                        } else {
                            Gemm.sgemm(false, false, M, tc, C, 1f, u, xi * uStride, C, v, xi * C * tc, tc,
                                    0f, mm, xi * M * tc, tc);
                        }
                    }
                    transformOutput(g, mm, n, th0, th1, tilesW, bias, y, scratch);
                }
            }
        }));
    }

    /** Least 16 * M * C (transformed weight floats) for {@link #forwardSplitChannels}. */
    static long splitChannelsMinWeights = Long.getLong("minnow.winogradSplitChannelsMinWeights", 1L << 20);

    /**
     * Batch smaller than the threads, large prepared weights: instead of giving each thread its own
     * tile rows (then every thread streams all 16 * M * C transformed weights, 4 MB at 256
     * channels, from memory), the threads share each phase: input transform split by input
     * channels, the 16 GEMMs by output-channel rows (each thread reads only its rows of the
     * weights), output transform by output channels.
     */
    private static void forwardSplitChannels(ConvGeometry g, float[] x, Gemm.PackedA[] packed, float[] bias, float[] y) {
        int C = g.inChannels();
        int M = g.outChannels();
        int tilesW = (g.outW() + 1) / 2;
        int tilesH = (g.outH() + 1) / 2;
        int threads = Parallel.threads();
        int chunkRows = Math.min(tilesH, Math.max(1, Conv2d.COL_LIMIT / (16 * Math.max(C, M) * tilesW)));
        float[] v = Conv2d.workspace(1, 16 * C * chunkRows * tilesW);
        float[] mm = Conv2d.workspace(2, 16 * M * chunkRows * tilesW);
        int mBlocks = (M + Gemm.ROW_BLOCK - 1) / Gemm.ROW_BLOCK;
        for (int n = 0; n < g.batch(); n++) {
            final int image = n;
            for (int th0 = 0; th0 < tilesH; th0 += chunkRows) {
                final int r0 = th0;
                final int r1 = Math.min(tilesH, th0 + chunkRows);
                final int tc = (r1 - r0) * tilesW;
                Parallel.forRange(C, Math.max(1, C / threads), (c0, c1) ->
                        transformInput(g, x, image, r0, r1, tilesW, v, new float[20][tc], c0, c1));
                Parallel.forRange(mBlocks, 1, (b0, b1) -> {
                    int m0 = b0 * Gemm.ROW_BLOCK;
                    int m1 = Math.min(M, b1 * Gemm.ROW_BLOCK);
                    for (int xi = 0; xi < 16; xi++) {
                        Gemm.sgemmRows(packed[xi], m0, m1, tc, v, xi * C * tc, tc, mm, xi * M * tc, tc);
                    }
                });
                Parallel.forRange(M, Math.max(1, M / threads), (m0, m1) ->
                        transformOutput(g, mm, image, r0, r1, tilesW, bias, y, new float[20][tc], m0, m1));
            }
        }
    }

    /**
     * Floats between consecutive xi planes of u: M*C padded off powers of two, so the 16 planes
     * written together do not all map to the same cache sets.
     */
    static int uStride(int M, int C) {
        return M * C + 16;
    }

    /** u[xi * uStride + m * C + c] = (G g G^T)[xi] for the 3x3 filter g = w[m][c]. */
    static void transformWeights(float[] w, int M, int C, float[] u) {
        int us = uStride(M, C);
        float[] t = new float[12];
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                int o = (m * C + c) * 9;
                for (int j = 0; j < 3; j++) {
                    float g0 = w[o + j];
                    float g1 = w[o + 3 + j];
                    float g2 = w[o + 6 + j];
                    t[j] = g0;
                    t[3 + j] = 0.5f * (g0 + g1 + g2);
                    t[6 + j] = 0.5f * (g0 - g1 + g2);
                    t[9 + j] = g2;
                }
                for (int i = 0; i < 4; i++) {
                    float a = t[3 * i];
                    float b = t[3 * i + 1];
                    float c2 = t[3 * i + 2];
                    int d = (m * C + c);
                    u[(4 * i) * us + d] = a;
                    u[(4 * i + 1) * us + d] = 0.5f * (a + b + c2);
                    u[(4 * i + 2) * us + d] = 0.5f * (a - b + c2);
                    u[(4 * i + 3) * us + d] = c2;
                }
            }
        }
    }

    /**
     * v[xi][c][t] = (B^T d B)[xi] for the tiles of tile rows [th0, th1) of image n (zero outside
     * the input). B^T d B is separable. For each of the four input rows r of a tile, the tile's
     * columns 0..3 are gathered once into four arrays indexed by tile (e = column 0, o = 1,
     * e1 = 2, o1 = 3); from there both transforms are plain loops over all tc tiles of the
     * chunk, which the JIT vectorizes.
     */
    private static void transformInput(ConvGeometry g, float[] x, int n, int th0, int th1, int tilesW, float[] v,
                                       float[][] scratch) {
        transformInput(g, x, n, th0, th1, tilesW, v, scratch, 0, g.inChannels());
    }

    /** As above for input channels [c0, c1) only (v keeps the layout of all C channels). */
    private static void transformInput(ConvGeometry g, float[] x, int n, int th0, int th1, int tilesW, float[] v,
                                       float[][] scratch, int c0, int c1) {
        int C = g.inChannels();
        int inH = g.inH();
        int inW = g.inW();
        int tc = (th1 - th0) * tilesW;
        int stride = C * tc;
        float[] e = scratch[0];
        float[] o = scratch[1];
        float[] e1 = scratch[2];
        float[] o1 = scratch[3];
        for (int c = c0; c < c1; c++) {
            int xc = (n * C + c) * inH * inW;
            for (int r = 0; r < 4; r++) {
                for (int th = th0; th < th1; th++) {
                    int ih = 2 * th - g.padTop() + r;
                    gatherColumns(x, xc + ih * inW, ih >= 0 && ih < inH, inW, g.padLeft(), e, o, e1, o1,
                            (th - th0) * tilesW, tilesW);
                }
                float[] h0 = scratch[4 + 4 * r];
                float[] h1 = scratch[5 + 4 * r];
                float[] h2 = scratch[6 + 4 * r];
                float[] h3 = scratch[7 + 4 * r];
                for (int k = 0; k < tc; k++) {
                    h0[k] = e[k] - e1[k];
                }
                for (int k = 0; k < tc; k++) {
                    h1[k] = o[k] + e1[k];
                }
                for (int k = 0; k < tc; k++) {
                    h2[k] = e1[k] - o[k];
                }
                for (int k = 0; k < tc; k++) {
                    h3[k] = o[k] - o1[k];
                }
            }
            for (int j = 0; j < 4; j++) {
                float[] h0 = scratch[4 + j];
                float[] h1 = scratch[8 + j];
                float[] h2 = scratch[12 + j];
                float[] h3 = scratch[16 + j];
                int v0 = j * stride + c * tc;
                for (int k = 0; k < tc; k++) {
                    v[v0 + k] = h0[k] - h2[k];
                }
                int v1 = v0 + 4 * stride;
                for (int k = 0; k < tc; k++) {
                    v[v1 + k] = h1[k] + h2[k];
                }
                int v2 = v0 + 8 * stride;
                for (int k = 0; k < tc; k++) {
                    v[v2 + k] = h2[k] - h1[k];
                }
                int v3 = v0 + 12 * stride;
                for (int k = 0; k < tc; k++) {
                    v[v3 + k] = h1[k] - h3[k];
                }
            }
        }
    }

    /**
     * For the tiles k of one tile row: e[at+k], o[at+k], e1[at+k], o1[at+k] = input columns
     * 2k - pad + 0, 1, 2, 3 of the row (zero outside [0, width) or when !rowInside).
     */
    private static void gatherColumns(float[] x, int row, boolean rowInside, int width, int pad,
                                      float[] e, float[] o, float[] e1, float[] o1, int at, int tiles) {
        if (!rowInside) {
            java.util.Arrays.fill(e, at, at + tiles, 0f);
            java.util.Arrays.fill(o, at, at + tiles, 0f);
            java.util.Arrays.fill(e1, at, at + tiles, 0f);
            java.util.Arrays.fill(o1, at, at + tiles, 0f);
            return;
        }
        // interior tiles: 0 <= 2k - pad and 2k - pad + 3 < width
        int lo = Math.min(tiles, (pad + 1) / 2);
        int hi = width - 4 + pad < 0 ? lo : Math.max(lo, Math.min(tiles, (width - 4 + pad) / 2 + 1));
        for (int k = 0; k < tiles; k++) {
            if (k == lo) {
                for (; k < hi; k++) {
                    int p = row + 2 * k - pad;
                    e[at + k] = x[p];
                    o[at + k] = x[p + 1];
                    e1[at + k] = x[p + 2];
                    o1[at + k] = x[p + 3];
                }
                if (k >= tiles) {
                    break;
                }
            }
            int iw = 2 * k - pad;
            e[at + k] = iw >= 0 && iw < width ? x[row + iw] : 0f;
            o[at + k] = iw + 1 >= 0 && iw + 1 < width ? x[row + iw + 1] : 0f;
            e1[at + k] = iw + 2 >= 0 && iw + 2 < width ? x[row + iw + 2] : 0f;
            o1[at + k] = iw + 3 >= 0 && iw + 3 < width ? x[row + iw + 3] : 0f;
        }
    }

    /** y tiles of tile rows [th0, th1) = A^T m A (+ bias), clipped to the output size. */
    private static void transformOutput(ConvGeometry g, float[] mm, int n, int th0, int th1, int tilesW,
                                        float[] bias, float[] y, float[][] scratch) {
        transformOutput(g, mm, n, th0, th1, tilesW, bias, y, scratch, 0, g.outChannels());
    }

    /** As above for output channels [m0, m1) only. */
    private static void transformOutput(ConvGeometry g, float[] mm, int n, int th0, int th1, int tilesW,
                                        float[] bias, float[] y, float[][] scratch, int m0, int m1) {
        int M = g.outChannels();
        int outH = g.outH();
        int outW = g.outW();
        int tc = (th1 - th0) * tilesW;
        int stride = M * tc;
        float[] even = scratch[0];
        float[] odd = scratch[1];
        for (int m = m0; m < m1; m++) {
            int yc = (n * M + m) * outH * outW;
            float b = bias == null ? 0f : bias[m];
            int base = m * tc;
            for (int j = 0; j < 4; j++) {
                float[] ta = scratch[4 + j];
                float[] tb = scratch[8 + j];
                int q0 = j * stride + base;
                int q1 = q0 + 4 * stride;
                int q2 = q0 + 8 * stride;
                int q3 = q0 + 12 * stride;
                for (int k = 0; k < tc; k++) {
                    ta[k] = mm[q0 + k] + mm[q1 + k] + mm[q2 + k];
                }
                for (int k = 0; k < tc; k++) {
                    tb[k] = mm[q1 + k] - mm[q2 + k] - mm[q3 + k];
                }
            }
            for (int i = 0; i < 2; i++) {
                float[] t0 = scratch[4 + 4 * i];
                float[] t1 = scratch[5 + 4 * i];
                float[] t2 = scratch[6 + 4 * i];
                float[] t3 = scratch[7 + 4 * i];
                for (int k = 0; k < tc; k++) {
                    even[k] = b + t0[k] + t1[k] + t2[k];
                }
                for (int k = 0; k < tc; k++) {
                    odd[k] = b + t1[k] - t2[k] - t3[k];
                }
                for (int th = th0; th < th1 && 2 * th + i < outH; th++) {
                    int row = yc + (2 * th + i) * outW;
                    int t = (th - th0) * tilesW;
                    for (int k = 0; k < outW / 2; k++) {
                        y[row + 2 * k] = even[t + k];
                        y[row + 2 * k + 1] = odd[t + k];
                    }
                    if ((outW & 1) != 0) {
                        y[row + outW - 1] = even[t + tilesW - 1];
                    }
                }
            }
        }
    }
}
