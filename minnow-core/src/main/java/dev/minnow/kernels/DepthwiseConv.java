package dev.minnow.kernels;

/**
 * Depthwise convolution (one input channel per group, channel multiplier mult = M / C) by
 * direct loops over phase planes ({@link Phases}): every (kh, kw) tap becomes one long vector
 * axpy (forward, input gradient) or dot (weight gradient) over a whole plane instead of a short
 * one per row. Same contract as {@link Conv2dNaive}; the unit of parallel work is one output
 * channel plane (forward), input channel plane (input gradient) or output channel (weights).
 */
final class DepthwiseConv {
    private DepthwiseConv() {
    }

    static boolean applies(ConvGeometry g) {
        return g.groups() > 1 && g.inChannelsPerGroup() == 1;
    }

    static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        int M = g.outChannels();
        int P = g.outH() * g.outW();
        Phases ph = Phases.of(g);
        Parallel.forRange(g.batch() * M, minPlanes(g), (from, to) -> {
            float[] buf = Conv2d.workspace(0, ph.size() + ph.grid());
            for (int u = from; u < to; u++) {
                int n = u / M;
                int m = u % M;
                ph.split(x, (n * g.inChannels() + m / g.outChannelsPerGroup()) * g.inH() * g.inW(), buf);
                java.util.Arrays.fill(buf, ph.size(), ph.size() + ph.grid(), bias == null ? 0f : bias[m]);
                for (int t = 0; t < g.kernelH() * g.kernelW(); t++) {
                    Vec.axpy(w[m * g.kernelH() * g.kernelW() + t], buf, ph.tap(t), buf, ph.size(), ph.grid());
                }
                ph.fromGrid(buf, y, u * P);
            }
        });
    }

    /** Depthwise with channel multiplier 1 (the only case {@link #forwardNhwc} takes). */
    static boolean appliesNhwc(ConvGeometry g) {
        return g.groups() == g.inChannels() && g.outChannels() == g.inChannels();
    }

    /** Weights [C][1][kH][kW] repacked tap-major, [kH*kW][C], the layout {@link #forwardNhwc} reads. */
    static float[] tapMajor(ConvGeometry g, float[] w) {
        int C = g.outChannels();
        int taps = g.kernelH() * g.kernelW();
        float[] t = new float[taps * C];
        for (int c = 0; c < C; c++) {
            for (int k = 0; k < taps; k++) {
                t[k * C + c] = w[c * taps + k];
            }
        }
        return t;
    }

    /**
     * Forward on channel-last activations for multiplier 1 ({@link #appliesNhwc}), any stride,
     * padding and dilation: x [N][inH][inW][C], taps [kH*kW][C] from {@link #tapMajor}, bias [C]
     * (nullable), y [N][outH][outW][C] = bias + sum over the taps inside the input, then clamped
     * to [lo, hi] when clamp. Channels are contiguous, so one output position is C/V vector FMAs
     * per tap (the plane-wise {@link #forward} pays per-plane overhead on small planes instead).
     * Parallel over output rows.
     */
    static void forwardNhwc(ConvGeometry g, float[] x, float[] taps, float[] bias, boolean clamp, float lo, float hi,
                            float[] y) {
        long rowWork = (long) g.outW() * g.inChannels() * g.kernelH() * g.kernelW();
        int minRows = (int) Math.max(1, (1 << 15) / Math.max(1, rowWork));
        Parallel.forRange(g.batch() * g.outH(), minRows, (from, to) -> {
            if (VectorSupport.AVAILABLE) {
                DepthwiseNhwcVector.rows(g, x, taps, bias, clamp, lo, hi, y, from, to);
            } else {
                nhwcRows(g, x, taps, bias, clamp, lo, hi, y, from, to);
            }
        });
    }

    /** Plain-Java rows [r0, r1) of {@link #forwardNhwc} (r = n * outH + oh). */
    static void nhwcRows(ConvGeometry g, float[] x, float[] taps, float[] bias, boolean clamp, float lo, float hi,
                         float[] y, int r0, int r1) {
        int C = g.inChannels();
        float[] acc = new float[C];
        for (int r = r0; r < r1; r++) {
            int n = r / g.outH();
            int ih0 = (r % g.outH()) * g.strideH() - g.padTop();
            int kh0 = Vec.firstValid(ih0, g.dilationH());
            int kh1 = Math.min(g.kernelH(), Vec.endValid(ih0, g.dilationH(), g.inH()));
            for (int ow = 0; ow < g.outW(); ow++) {
                int iw0 = ow * g.strideW() - g.padLeft();
                int kw0 = Vec.firstValid(iw0, g.dilationW());
                int kw1 = Math.min(g.kernelW(), Vec.endValid(iw0, g.dilationW(), g.inW()));
                if (bias == null) {
                    java.util.Arrays.fill(acc, 0f);
                } else {
                    System.arraycopy(bias, 0, acc, 0, C);
                }
                for (int kh = kh0; kh < kh1; kh++) {
                    for (int kw = kw0; kw < kw1; kw++) {
                        int xo = ((n * g.inH() + ih0 + kh * g.dilationH()) * g.inW() + iw0 + kw * g.dilationW()) * C;
                        int wo = (kh * g.kernelW() + kw) * C;
                        for (int c = 0; c < C; c++) {
                            acc[c] += taps[wo + c] * x[xo + c];
                        }
                    }
                }
                int yo = (r * g.outW() + ow) * C;
                for (int c = 0; c < C; c++) {
                    y[yo + c] = clamp ? Math.min(Math.max(acc[c], lo), hi) : acc[c];
                }
            }
        }
    }

    static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int C = g.inChannels();
        int mult = g.outChannelsPerGroup();
        int P = g.outH() * g.outW();
        Phases ph = Phases.of(g);
        Parallel.forRange(g.batch() * C, minPlanes(g), (from, to) -> {
            float[] buf = Conv2d.workspace(0, ph.size() + ph.grid());
            for (int u = from; u < to; u++) {
                int n = u / C;
                int c = u % C;
                java.util.Arrays.fill(buf, 0, ph.size(), 0f);
                for (int m = c * mult; m < (c + 1) * mult; m++) {
                    ph.toGrid(dy, (n * g.outChannels() + m) * P, buf);
                    for (int t = 0; t < g.kernelH() * g.kernelW(); t++) {
                        Vec.axpy(w[m * g.kernelH() * g.kernelW() + t], buf, ph.size(), buf, ph.tap(t), ph.grid());
                    }
                }
                ph.merge(buf, dx, u * g.inH() * g.inW());
            }
        });
    }

    static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        int M = g.outChannels();
        int P = g.outH() * g.outW();
        int taps = g.kernelH() * g.kernelW();
        Phases ph = Phases.of(g);
        Parallel.forRange(M, 1, (from, to) -> {
            float[] buf = Conv2d.workspace(0, ph.size() + ph.grid());
            for (int m = from; m < to; m++) {
                double[] acc = new double[taps];
                for (int n = 0; n < g.batch(); n++) {
                    ph.split(x, (n * g.inChannels() + m / g.outChannelsPerGroup()) * g.inH() * g.inW(), buf);
                    ph.toGrid(dy, (n * M + m) * P, buf);
                    for (int t = 0; t < taps; t++) {
                        acc[t] += Vec.dot(buf, ph.size(), buf, ph.tap(t), ph.grid());
                    }
                }
                for (int t = 0; t < taps; t++) {
                    dw[m * taps + t] = (float) acc[t];
                }
            }
        });
        if (dbias != null) {
            Conv2d.biasGradient(g, dy, dbias);
        }
    }

    /**
     * Phase planes of one zero-padded input plane, then one output grid, in a buffer:
     * phase (a, c) holds xpad[i * strideH + a][j * strideW + c] for i < qH, j < qW (plus slack
     * for shifted reads); the grid is outH x qW with columns past outW as scratch (zero when it
     * holds dy). Tap (kh, kw) reads phase ((kh*dH) % sH, (kw*dW) % sW) at the constant shift
     * ((kh*dH) / sH, (kw*dW) / sW), so it lines up with the whole grid at once.
     */
    record Phases(ConvGeometry g, int qH, int qW, int phase, int grid, int[] taps) {
        static Phases of(ConvGeometry g) {
            int sh = g.strideH();
            int sw = g.strideW();
            int qH = (g.inH() + g.padTop() + g.padBottom() + sh - 1) / sh;
            int qW = (g.inW() + g.padLeft() + g.padRight() + sw - 1) / sw;
            int phase = qH * qW + (g.kernelW() - 1) * g.dilationW() / sw + 1;
            int[] taps = new int[g.kernelH() * g.kernelW()];
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++) {
                    int rh = kh * g.dilationH();
                    int rw = kw * g.dilationW();
                    taps[kh * g.kernelW() + kw] = ((rh % sh) * sw + rw % sw) * phase + (rh / sh) * qW + rw / sw;
                }
            }
            return new Phases(g, qH, qW, phase, g.outH() * qW, taps);
        }

        /** Floats of all phase planes; the grid starts here. */
        int size() {
            return g.strideH() * g.strideW() * phase;
        }

        /** Where tap t = kh * kernelW + kw starts reading (or writing) in the phase planes. */
        int tap(int t) {
            return taps[t];
        }

        /** Phase planes of the input plane at xo (zeros in the padding and the slack). */
        void split(float[] x, int xo, float[] buf) {
            walk(x, xo, buf, false);
        }

        /** The input plane at xo = the real (unpadded) positions of the phase planes. */
        void merge(float[] buf, float[] x, int xo) {
            walk(x, xo, buf, true);
        }

        private void walk(float[] x, int xo, float[] buf, boolean toInput) {
            int sh = g.strideH();
            int sw = g.strideW();
            for (int a = 0; a < sh; a++) {
                for (int c = 0; c < sw; c++) {
                    int base = (a * sw + c) * phase;
                    int lo = Math.min(qW, Vec.firstValid(c - g.padLeft(), sw));
                    int hi = Math.max(lo, Math.min(qW, Vec.endValid(c - g.padLeft(), sw, g.inW())));
                    for (int i = 0; i < qH; i++) {
                        int ih = i * sh + a - g.padTop();
                        int row = base + i * qW;
                        boolean inside = ih >= 0 && ih < g.inH();
                        int xr = xo + ih * g.inW() + c - g.padLeft();
                        if (toInput) {
                            for (int j = inside ? lo : hi; j < hi; j++) {
                                x[xr + j * sw] = buf[row + j];
                            }
                            continue;
                        }
                        if (!inside) {
                            java.util.Arrays.fill(buf, row, row + qW, 0f);
                            continue;
                        }
                        java.util.Arrays.fill(buf, row, row + lo, 0f);
                        if (sw == 1) {
                            System.arraycopy(x, xr + lo, buf, row + lo, hi - lo);
                        } else {
                            Eltwise.copyStrided(x, xr + lo * sw, sw, buf, row + lo, hi - lo);
                        }
                        java.util.Arrays.fill(buf, row + hi, row + qW, 0f);
                    }
                    if (!toInput) {
                        java.util.Arrays.fill(buf, base + qH * qW, base + phase, 0f);
                    }
                }
            }
        }

        /** The output-shaped plane at yo into the grid, scratch columns zeroed. */
        void toGrid(float[] y, int yo, float[] buf) {
            for (int oh = 0; oh < g.outH(); oh++) {
                int row = size() + oh * qW;
                System.arraycopy(y, yo + oh * g.outW(), buf, row, g.outW());
                java.util.Arrays.fill(buf, row + g.outW(), row + qW, 0f);
            }
        }

        /** The grid's valid columns into the output plane at yo. */
        void fromGrid(float[] buf, float[] y, int yo) {
            for (int oh = 0; oh < g.outH(); oh++) {
                System.arraycopy(buf, size() + oh * qW, y, yo + oh * g.outW(), g.outW());
            }
        }
    }

    private static int minPlanes(ConvGeometry g) {
        long work = (long) g.outH() * g.outW() * g.kernelH() * g.kernelW();
        return (int) Math.max(1, (1 << 15) / Math.max(1, work));
    }
}
