package dev.minnow.kernels;

/**
 * Winograd F(2x2, 3x3) for 3x3, stride 1, dilation 1, single-group convolutions (Lavin and
 * Gray 2015): each 2x2 output tile is A^T [ (G g G^T) .* (B^T d B) ] A over a 4x4 input tile d,
 * so the 36 multiplies per tile and channel pair become 16, done as 16 GEMMs
 * Mxi[M x T] = Uxi[M x C] * Vxi[C x T], one per position xi of the 4x4 transformed tile.
 * Buffers: u [16][M][C] (per call), v [16][C][tc] and m [16][M][tc] (per thread, chunks of tc tiles).
 */
final class WinogradConv {
    /** Channels (in and out) below which im2col + GEMM wins: the transforms would dominate. */
    static final int MIN_CHANNELS = 16;

    private WinogradConv() {
    }

    /** The cost rule: Winograd where it is both possible and expected to beat im2col + GEMM. */
    static boolean applies(ConvGeometry g) {
        return shapeFits(g) && g.inChannels() >= MIN_CHANNELS && g.outChannels() >= MIN_CHANNELS
                && g.outH() >= 4 && g.outW() >= 4;
    }

    /** Whether the algorithm can run this geometry at all. */
    static boolean shapeFits(ConvGeometry g) {
        return g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.groups() == 1;
    }

    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        int C = g.inChannels();
        int M = g.outChannels();
        float[] u = new float[16 * M * C];
        transformWeights(w, M, C, u);
        int tilesW = (g.outW() + 1) / 2;
        int tiles = (g.outH() + 1) / 2 * tilesW;
        int chunk = Math.min(tiles, Math.max(16, Conv2d.COL_LIMIT / (16 * Math.max(C, M))));
        Conv2d.forEachImage(g, n -> {
            float[] v = Conv2d.workspace(1, 16 * C * chunk);
            float[] mm = Conv2d.workspace(2, 16 * M * chunk);
            for (int t0 = 0; t0 < tiles; t0 += chunk) {
                int tc = Math.min(chunk, tiles - t0);
                transformInput(g, x, n, t0, tc, tilesW, v);
                for (int xi = 0; xi < 16; xi++) {
                    Gemm.sgemm(false, false, M, tc, C, 1f, u, xi * M * C, C, v, xi * C * tc, tc,
                            0f, mm, xi * M * tc, tc);
                }
                transformOutput(g, mm, n, t0, tc, tilesW, bias, y);
            }
        });
    }

    /** u[xi][m][c] = (G g G^T)[xi] for the 3x3 filter g = w[m][c]. */
    static void transformWeights(float[] w, int M, int C, float[] u) {
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
                    u[(4 * i) * M * C + d] = a;
                    u[(4 * i + 1) * M * C + d] = 0.5f * (a + b + c2);
                    u[(4 * i + 2) * M * C + d] = 0.5f * (a - b + c2);
                    u[(4 * i + 3) * M * C + d] = c2;
                }
            }
        }
    }

    /** v[xi][c][t] = (B^T d B)[xi] for tiles t0 .. t0+tc of image n (zero outside the input). */
    private static void transformInput(ConvGeometry g, float[] x, int n, int t0, int tc, int tilesW, float[] v) {
        int C = g.inChannels();
        int inH = g.inH();
        int inW = g.inW();
        float[] d = new float[16];
        int stride = C * tc;
        for (int c = 0; c < C; c++) {
            int xc = (n * C + c) * inH * inW;
            for (int t = 0; t < tc; t++) {
                int ih0 = (t0 + t) / tilesW * 2 - g.padTop();
                int iw0 = (t0 + t) % tilesW * 2 - g.padLeft();
                boolean inside = ih0 >= 0 && iw0 >= 0 && ih0 + 4 <= inH && iw0 + 4 <= inW;
                for (int r = 0; r < 4; r++) {
                    int ih = ih0 + r;
                    for (int s = 0; s < 4; s++) {
                        int iw = iw0 + s;
                        d[4 * r + s] = inside || (ih >= 0 && ih < inH && iw >= 0 && iw < inW)
                                ? x[xc + ih * inW + iw] : 0f;
                    }
                }
                for (int s = 0; s < 4; s++) {
                    float d0 = d[s];
                    float d1 = d[4 + s];
                    float d2 = d[8 + s];
                    float d3 = d[12 + s];
                    d[s] = d0 - d2;
                    d[4 + s] = d1 + d2;
                    d[8 + s] = d2 - d1;
                    d[12 + s] = d1 - d3;
                }
                int o = c * tc + t;
                for (int r = 0; r < 4; r++) {
                    float a0 = d[4 * r];
                    float a1 = d[4 * r + 1];
                    float a2 = d[4 * r + 2];
                    float a3 = d[4 * r + 3];
                    v[(4 * r) * stride + o] = a0 - a2;
                    v[(4 * r + 1) * stride + o] = a1 + a2;
                    v[(4 * r + 2) * stride + o] = a2 - a1;
                    v[(4 * r + 3) * stride + o] = a1 - a3;
                }
            }
        }
    }

    /** y tile = A^T m A (+ bias), clipped to the output size. */
    private static void transformOutput(ConvGeometry g, float[] mm, int n, int t0, int tc, int tilesW,
                                       float[] bias, float[] y) {
        int M = g.outChannels();
        int outH = g.outH();
        int outW = g.outW();
        int stride = M * tc;
        float[] q = new float[16];
        for (int m = 0; m < M; m++) {
            int yc = (n * M + m) * outH * outW;
            float b = bias == null ? 0f : bias[m];
            for (int t = 0; t < tc; t++) {
                int o = m * tc + t;
                for (int xi = 0; xi < 16; xi++) {
                    q[xi] = mm[xi * stride + o];
                }
                float t00 = q[0] + q[4] + q[8];
                float t01 = q[1] + q[5] + q[9];
                float t02 = q[2] + q[6] + q[10];
                float t03 = q[3] + q[7] + q[11];
                float t10 = q[4] - q[8] - q[12];
                float t11 = q[5] - q[9] - q[13];
                float t12 = q[6] - q[10] - q[14];
                float t13 = q[7] - q[11] - q[15];
                int oh = (t0 + t) / tilesW * 2;
                int ow = (t0 + t) % tilesW * 2;
                int yo = yc + oh * outW + ow;
                boolean right = ow + 1 < outW;
                y[yo] = b + t00 + t01 + t02;
                if (right) {
                    y[yo + 1] = b + t01 - t02 - t03;
                }
                if (oh + 1 < outH) {
                    y[yo + outW] = b + t10 + t11 + t12;
                    if (right) {
                        y[yo + outW + 1] = b + t11 - t12 - t13;
                    }
                }
            }
        }
    }
}
