package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Weight gradient of stride-1, dilation-1, one-group convolutions without an im2col matrix
 * ("shifted rows"); only reached when {@link VectorSupport#AVAILABLE} (see
 * {@link Conv2d#shiftedApplies}).
 *
 * <p>Each input plane is copied once into a zero-padded plane of row length Wp = W + padLeft +
 * padRight, and each output-gradient plane into a "wide" plane of the same row length, zero in the
 * Wp - outW columns past the real outputs. For the wide position q = oh * Wp + ow, tap (kh, kw)
 * reads padded input q + kh * Wp + kw: a constant shift. So the gradient of one tap is a product of
 * rows that are both contiguous,
 * <pre>
 *   dW[m, c, kh, kw] = sum over images n and wide positions q of dYw[n, m, q] * Xp[n, c, q + kh*Wp + kw]
 * </pre>
 * computed as 4 x 4 blocks of vector dot products (16 accumulators, 8 loads per 16 FMAs) that run
 * over all images of an L2-sized chunk before their lanes are summed. The wide columns cost
 * (Wp - outW) / Wp extra multiplies (6% at 32 x 32 with pad 1, 20% at 8 x 8) and save the im2col
 * pass and the transposing pack of col^T that dW = dY * col^T needs in the GEMM form.
 */
final class ShiftedConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Floats of padded input plus wide gradient per chunk of images (about 1 MB, within L2). */
    static final int CHUNK_FLOATS = 1 << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(
            () -> new float[][] {new float[0], new float[0], new float[16 * FloatVector.SPECIES_PREFERRED.length()]});
    /** Rows of output channels per forward micro-tile (the tile is MR x 2V positions). */
    private static final int MR = 8;

    private ShiftedConv() {
    }

    /** The plane sizes of one geometry. */
    record Layout(int wp, int wideLen, int planeStride, int taps) {
        static Layout of(ConvGeometry g) {
            int wp = g.inW() + g.padLeft() + g.padRight();
            int hp = g.inH() + g.padTop() + g.padBottom();
            int wide = GemmVector.roundUp(g.outH() * wp, 2 * V);
            int maxShift = (g.kernelH() - 1) * wp + g.kernelW() - 1;
            return new Layout(wp, wide, Math.max(hp * wp, wide + maxShift), g.kernelH() * g.kernelW());
        }
    }

    /**
     * y = conv(x, w) + bias (bias nullable): per image, the padded planes once, then MR x 2V
     * register tiles of the wide output, each summing over k = (c, kh, kw) a broadcast weight times
     * two vectors of the padded plane at the tap's shift (the GEMM micro-kernel with B read straight
     * from the shifted rows: no im2col, no packing of B), then the wide rows are compacted into y.
     */
    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        int M = g.outChannels();
        int C = g.inChannels();
        Layout l = Layout.of(g);
        int T = l.taps();
        int K = C * T;
        int blocks = (M + MR - 1) / MR;
        // weight panels [block][tap][c][MR]: the tile's inner loop runs over c for one tap, so both
        // its weight and its plane addresses are linear in c (the JIT then hoists the bounds checks;
        // with one table lookup per (c, tap) they took a fifth of the time)
        float[] ap = new float[blocks * K * MR];
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                for (int t = 0; t < T; t++) {
                    ap[(((m / MR) * T + t) * C + c) * MR + m % MR] = w[(m * C + c) * T + t];
                }
            }
        }
        int[] shifts = new int[T];
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                shifts[kh * g.kernelW() + kw] = kh * l.wp() + kw;
            }
        }
        int ps = l.planeStride();
        int wl = l.wideLen();
        int oH = g.outH();
        int oW = g.outW();
        Conv2d.forEachImage(g, n -> {
            float[][] buf = BUFFERS.get();
            if (buf[0].length < C * l.planeStride()) {
                buf[0] = new float[C * l.planeStride()];
            }
            if (buf[1].length < blocks * MR * wl) {
                buf[1] = new float[blocks * MR * wl];
            }
            float[] xp = buf[0];
            float[] yw = buf[1];
            padInput(g, l, x, n, n + 1, xp);
            for (int q = 0; q < wl; q += 2 * V) {
                for (int b = 0; b < blocks; b++) {
                    tile(C, ap, b * K * MR, xp, ps, shifts, q, yw, b * MR * wl + q, wl);
                }
            }
            for (int m = 0; m < M; m++) {
                float bm = bias == null ? 0f : bias[m];
                int dst = (n * M + m) * oH * oW;
                int src = m * wl;
                for (int i = 0; i < oH; i++, src += l.wp(), dst += oW) {
                    if (bm == 0f) {
                        System.arraycopy(yw, src, y, dst, oW);
                    } else {
                        for (int j = 0; j < oW; j++) {
                            y[dst + j] = yw[src + j] + bm;
                        }
                    }
                }
            }
        });
    }

    /**
     * dx = gradient of the input (overwritten) as the forward convolution of dy with the weights
     * transposed and flipped, padded by kernel - 1 - pad on each side (needs pad < kernel; see
     * {@link Conv2d#shiftedInputApplies}).
     */
    static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int M = g.outChannels();
        int C = g.inChannels();
        int kH = g.kernelH();
        int kW = g.kernelW();
        ConvGeometry t = ConvGeometry.of(g.batch(), M, g.outH(), g.outW(), C, kH, kW, 1, 1,
                kH - 1 - g.padTop(), kW - 1 - g.padLeft(), kH - 1 - g.padBottom(), kW - 1 - g.padRight(), 1, 1, 1);
        float[] wt = new float[w.length];
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                for (int i = 0; i < kH; i++) {
                    for (int j = 0; j < kW; j++) {
                        wt[((c * M + m) * kH + kH - 1 - i) * kW + kW - 1 - j] = w[((m * C + c) * kH + i) * kW + j];
                    }
                }
            }
        }
        forward(t, dy, wt, null, dx);
    }

    /**
     * out[o + r * ldo + q ..] for r < MR, two vectors: the sum over taps t and channels c of
     * ap[a + (t * C + c) * MR + r] * xp[c * ps + shift[t] + q ..].
     */
    private static void tile(int C, float[] ap, int a, float[] xp, int ps, int[] shift, int q, float[] out, int o,
                             int ldo) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int t = 0; t < shift.length; t++) {
            int start = shift[t] + q;
            for (int c = 0; c < C; c++, a += MR) {
              int b = start + c * ps;
              FloatVector b0 = FloatVector.fromArray(S, xp, b);
              FloatVector b1 = FloatVector.fromArray(S, xp, b + V);
              FloatVector a0 = FloatVector.broadcast(S, ap[a]);
              c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
              FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
              c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
              FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
              c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
              FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
              c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
              FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
              c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
              FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
              c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
              FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
              c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
              FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
              c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
            }
        }
        c00.intoArray(out, o); c01.intoArray(out, o + V);
        c10.intoArray(out, o + ldo); c11.intoArray(out, o + ldo + V);
        c20.intoArray(out, o + 2 * ldo); c21.intoArray(out, o + 2 * ldo + V);
        c30.intoArray(out, o + 3 * ldo); c31.intoArray(out, o + 3 * ldo + V);
        c40.intoArray(out, o + 4 * ldo); c41.intoArray(out, o + 4 * ldo + V);
        c50.intoArray(out, o + 5 * ldo); c51.intoArray(out, o + 5 * ldo + V);
        c60.intoArray(out, o + 6 * ldo); c61.intoArray(out, o + 6 * ldo + V);
        c70.intoArray(out, o + 7 * ldo); c71.intoArray(out, o + 7 * ldo + V);
    }

    /** dw = gradient of the weights (overwritten), [M, C, kH, kW]. */
    static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw) {
        int M = g.outChannels();
        int C = g.inChannels();
        Layout l = Layout.of(g);
        int T = l.taps();
        int batch = g.batch();
        int parts = Math.max(1, Math.min(batch, Parallel.threads()));
        float[][] partial = new float[parts][T * M * C];
        int perImage = C * l.planeStride() + M * l.wideLen();
        int chunk = Math.max(1, CHUNK_FLOATS / perImage);
        Parallel.forRange(parts, 1, (from, to) -> {
            for (int part = from; part < to; part++) {
                int n0 = (int) ((long) batch * part / parts);
                int n1 = (int) ((long) batch * (part + 1) / parts);
                for (int c0 = n0; c0 < n1; c0 += chunk) {
                    accumulateChunk(g, l, x, dy, c0, Math.min(n1, c0 + chunk), partial[part]);
                }
            }
        });
        // dw[m, c, t] = sum over parts of partial[part][t, m, c], parts in a fixed order
        for (int m = 0; m < M; m++) {
            for (int c = 0; c < C; c++) {
                for (int t = 0; t < T; t++) {
                    float s = 0;
                    int at = (t * M + m) * C + c;
                    for (float[] p : partial) {
                        s += p[at];
                    }
                    dw[(m * C + c) * T + t] = s;
                }
            }
        }
    }

    /** Adds the gradient of images [n0, n1) to acc, tap-major [T, M, C]. */
    private static void accumulateChunk(ConvGeometry g, Layout l, float[] x, float[] dy, int n0, int n1, float[] acc) {
        int M = g.outChannels();
        int C = g.inChannels();
        int nb = n1 - n0;
        int ps = l.planeStride();
        int wl = l.wideLen();
        float[][] buf = BUFFERS.get();
        if (buf[0].length < nb * C * ps) {
            buf[0] = new float[nb * C * ps];
        }
        if (buf[1].length < nb * M * wl) {
            buf[1] = new float[nb * M * wl];
        }
        float[] xp = buf[0];
        float[] dyw = buf[1];
        float[] lanes = buf[2];
        padInput(g, l, x, n0, n1, xp);
        widenGradient(g, l, dy, n0, n1, dyw);
        int xImage = C * ps;
        int yImage = M * wl;
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int t = kh * g.kernelW() + kw;
                int shift = kh * l.wp() + kw;
                int m = 0;
                for (; m + 4 <= M; m += 4) {
                    int c = 0;
                    for (; c + 4 <= C; c += 4) {
                        block4x4(dyw, m * wl, wl, xp, c * ps + shift, ps, nb, yImage, xImage, wl, lanes);
                        for (int r = 0; r < 4; r++) {
                            for (int s = 0; s < 4; s++) {
                                acc[(t * M + m + r) * C + c + s] += sumLanes(lanes, r * 4 + s);
                            }
                        }
                    }
                    for (; c < C; c++) {
                        for (int r = 0; r < 4; r++) {
                            acc[(t * M + m + r) * C + c] += dot(dyw, (m + r) * wl, xp, c * ps + shift, nb, yImage,
                                    xImage, wl, lanes);
                        }
                    }
                }
                for (; m < M; m++) {
                    for (int c = 0; c < C; c++) {
                        acc[(t * M + m) * C + c] += dot(dyw, m * wl, xp, c * ps + shift, nb, yImage, xImage, wl,
                                lanes);
                    }
                }
            }
        }
    }

    /** xp[n, c] = input plane of image n0 + n with its padding, zeros past it. */
    static void padInput(ConvGeometry g, Layout l, float[] x, int n0, int n1, float[] xp) {
        int C = g.inChannels();
        int H = g.inH();
        int W = g.inW();
        int ps = l.planeStride();
        java.util.Arrays.fill(xp, 0, (n1 - n0) * C * ps, 0f);
        for (int n = n0; n < n1; n++) {
            for (int c = 0; c < C; c++) {
                int src = (n * C + c) * H * W;
                int dst = ((n - n0) * C + c) * ps + g.padTop() * l.wp() + g.padLeft();
                for (int i = 0; i < H; i++, src += W, dst += l.wp()) {
                    System.arraycopy(x, src, xp, dst, W);
                }
            }
        }
    }

    /** dyw[n, m] = output-gradient plane of image n0 + n in rows of length Wp, zeros elsewhere. */
    static void widenGradient(ConvGeometry g, Layout l, float[] dy, int n0, int n1, float[] dyw) {
        int M = g.outChannels();
        int oH = g.outH();
        int oW = g.outW();
        int wl = l.wideLen();
        java.util.Arrays.fill(dyw, 0, (n1 - n0) * M * wl, 0f);
        for (int n = n0; n < n1; n++) {
            for (int m = 0; m < M; m++) {
                int src = (n * M + m) * oH * oW;
                int dst = ((n - n0) * M + m) * wl;
                for (int i = 0; i < oH; i++, src += oW, dst += l.wp()) {
                    System.arraycopy(dy, src, dyw, dst, oW);
                }
            }
        }
    }

    /**
     * lanes[(r * 4 + s) * V + lane] = lane sums of a-row r times b-row s over nb images and len
     * positions (a rows at aOff + r * lda + n * aImage, b rows at bOff + s * ldb + n * bImage).
     */
    private static void block4x4(float[] a, int aOff, int lda, float[] b, int bOff, int ldb, int nb, int aImage,
                                 int bImage, int len, float[] lanes) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        for (int n = 0; n < nb; n++) {
            int ar = aOff + n * aImage;
            int br = bOff + n * bImage;
            for (int q = 0; q < len; q += V) {
                FloatVector a0 = FloatVector.fromArray(S, a, ar + q);
                FloatVector a1 = FloatVector.fromArray(S, a, ar + lda + q);
                FloatVector a2 = FloatVector.fromArray(S, a, ar + 2 * lda + q);
                FloatVector a3 = FloatVector.fromArray(S, a, ar + 3 * lda + q);
                FloatVector b0 = FloatVector.fromArray(S, b, br + q);
                c00 = a0.fma(b0, c00); c10 = a1.fma(b0, c10); c20 = a2.fma(b0, c20); c30 = a3.fma(b0, c30);
                FloatVector b1 = FloatVector.fromArray(S, b, br + ldb + q);
                c01 = a0.fma(b1, c01); c11 = a1.fma(b1, c11); c21 = a2.fma(b1, c21); c31 = a3.fma(b1, c31);
                FloatVector b2 = FloatVector.fromArray(S, b, br + 2 * ldb + q);
                c02 = a0.fma(b2, c02); c12 = a1.fma(b2, c12); c22 = a2.fma(b2, c22); c32 = a3.fma(b2, c32);
                FloatVector b3 = FloatVector.fromArray(S, b, br + 3 * ldb + q);
                c03 = a0.fma(b3, c03); c13 = a1.fma(b3, c13); c23 = a2.fma(b3, c23); c33 = a3.fma(b3, c33);
            }
        }
        c00.intoArray(lanes, 0 * V); c01.intoArray(lanes, 1 * V); c02.intoArray(lanes, 2 * V); c03.intoArray(lanes, 3 * V);
        c10.intoArray(lanes, 4 * V); c11.intoArray(lanes, 5 * V); c12.intoArray(lanes, 6 * V); c13.intoArray(lanes, 7 * V);
        c20.intoArray(lanes, 8 * V); c21.intoArray(lanes, 9 * V); c22.intoArray(lanes, 10 * V); c23.intoArray(lanes, 11 * V);
        c30.intoArray(lanes, 12 * V); c31.intoArray(lanes, 13 * V); c32.intoArray(lanes, 14 * V); c33.intoArray(lanes, 15 * V);
    }

    /** One row pair as {@link #block4x4} does sixteen, summed (lanes is scratch). */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int nb, int aImage, int bImage, int len,
                             float[] lanes) {
        FloatVector s = FloatVector.zero(S);
        for (int n = 0; n < nb; n++) {
            int ar = aOff + n * aImage;
            int br = bOff + n * bImage;
            for (int q = 0; q < len; q += V) {
                s = FloatVector.fromArray(S, a, ar + q).fma(FloatVector.fromArray(S, b, br + q), s);
            }
        }
        s.intoArray(lanes, 0);
        return sumLanes(lanes, 0);
    }

    /**
     * The lanes of accumulator i summed in a fixed order (reduceLanes leaves the order open, and the
     * JIT's intrinsic and the interpreter differ, which would break one-thread determinism).
     */
    private static float sumLanes(float[] lanes, int i) {
        float s = 0;
        for (int k = i * V, end = k + V; k < end; k++) {
            s += lanes[k];
        }
        return s;
    }
}
