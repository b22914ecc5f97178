package dev.minnow.kernels;

/**
 * Depthwise convolution (one input channel per group, channel multiplier mult = M / C) by
 * direct loops. Forward: each (kh, kw) tap is one vector axpy over a whole output plane laid
 * over phase planes of the padded input ({@link #forwardPlane}). Gradients: each tap is a
 * vector axpy or dot over a row, with the padded border cut off by index bounds. Same contract as
 * {@link Conv2dNaive}; the unit of parallel work is one output (or input) channel plane.
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
        Parallel.forRange(g.batch() * M, minPlanes(g), (from, to) -> {
            for (int u = from; u < to; u++) {
                int n = u / M;
                int m = u % M;
                int c = m / g.outChannelsPerGroup();
                forwardPlane(g, x, (n * g.inChannels() + c) * g.inH() * g.inW(), w, m, y, u * P,
                        bias == null ? 0f : bias[m]);
            }
        });
    }

    static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        int C = g.inChannels();
        int mult = g.outChannelsPerGroup();
        int P = g.outH() * g.outW();
        int plane = g.inH() * g.inW();
        Parallel.forRange(g.batch() * C, minPlanes(g), (from, to) -> {
            for (int u = from; u < to; u++) {
                int n = u / C;
                int c = u % C;
                java.util.Arrays.fill(dx, u * plane, (u + 1) * plane, 0f);
                for (int m = c * mult; m < (c + 1) * mult; m++) {
                    taps(g, dx, u * plane, w, m, dy, (n * g.outChannels() + m) * P, Mode.INPUT_GRAD);
                }
            }
        });
    }

    static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        int M = g.outChannels();
        int P = g.outH() * g.outW();
        java.util.Arrays.fill(dw, 0, g.weightSize(), 0f);
        Parallel.forRange(M, 1, (from, to) -> {
            for (int m = from; m < to; m++) {
                int c = m / g.outChannelsPerGroup();
                for (int n = 0; n < g.batch(); n++) {
                    taps(g, x, (n * g.inChannels() + c) * g.inH() * g.inW(), dw, m,
                            dy, (n * M + m) * P, Mode.WEIGHT_GRAD);
                }
            }
        });
        if (dbias != null) {
            Conv2d.biasGradient(g, dy, dbias);
        }
    }

    /**
     * One output plane by phase planes: the zero-padded input is split into strideH * strideW
     * phase planes ph[a][c][i][j] = xpad[i * strideH + a][j * strideW + c], each qW wide. On
     * the output grid outH x qW (columns past outW are scratch) every tap (kh, kw) then reads
     * one phase plane at a constant shift, so each tap is one long axpy over the whole plane
     * instead of a short one per row; finally the outW valid columns are copied out.
     */
    static void forwardPlane(ConvGeometry g, float[] x, int xo, float[] w, int m, float[] y, int yo, float b) {
        int sh = g.strideH();
        int sw = g.strideW();
        int padH = g.inH() + g.padTop() + g.padBottom();
        int padW = g.inW() + g.padLeft() + g.padRight();
        int qH = (padH + sh - 1) / sh;
        int qW = (padW + sw - 1) / sw;
        int slack = (g.kernelW() - 1) * g.dilationW() / sw + 1;
        int phase = qH * qW + slack;
        int grid = g.outH() * qW;
        float[] buf = Conv2d.workspace(0, sh * sw * phase + grid);
        for (int a = 0; a < sh; a++) {
            for (int c = 0; c < sw; c++) {
                int base = (a * sw + c) * phase;
                for (int i = 0; i < qH; i++) {
                    int ih = i * sh + a - g.padTop();
                    int row = base + i * qW;
                    if (ih < 0 || ih >= g.inH()) {
                        java.util.Arrays.fill(buf, row, row + qW, 0f);
                        continue;
                    }
                    int xr = xo + ih * g.inW() + c - g.padLeft();
                    int lo = Math.min(qW, Vec.firstValid(c - g.padLeft(), sw));
                    int hi = Math.max(lo, Math.min(qW, Vec.endValid(c - g.padLeft(), sw, g.inW())));
                    java.util.Arrays.fill(buf, row, row + lo, 0f);
                    if (sw == 1) {
                        System.arraycopy(x, xr + lo, buf, row + lo, hi - lo);
                    } else {
                        for (int j = lo; j < hi; j++) {
                            buf[row + j] = x[xr + j * sw];
                        }
                    }
                    java.util.Arrays.fill(buf, row + hi, row + qW, 0f);
                }
                java.util.Arrays.fill(buf, base + qH * qW, base + phase, 0f);
            }
        }
        int out = sh * sw * phase;
        java.util.Arrays.fill(buf, out, out + grid, b);
        for (int kh = 0; kh < g.kernelH(); kh++) {
            int rh = kh * g.dilationH();
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int rw = kw * g.dilationW();
                int src = ((rh % sh) * sw + rw % sw) * phase + (rh / sh) * qW + rw / sw;
                Vec.axpy(w[(m * g.kernelH() + kh) * g.kernelW() + kw], buf, src, buf, out, grid);
            }
        }
        for (int oh = 0; oh < g.outH(); oh++) {
            System.arraycopy(buf, out + oh * qW, y, yo + oh * g.outW(), g.outW());
        }
    }

    private enum Mode { INPUT_GRAD, WEIGHT_GRAD }

    /**
     * Walks every (output row, kh, kw) of output channel m over one plane pair: x plane at xo,
     * y plane at yo. INPUT_GRAD: x += w * y (y holds dy);
     * WEIGHT_GRAD: w[m, kh, kw] += dot(y, x) (w holds dw).
     */
    private static void taps(ConvGeometry g, float[] x, int xo, float[] w, int m, float[] y, int yo, Mode mode) {
        int outW = g.outW();
        int inW = g.inW();
        int sw = g.strideW();
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int wi = (m * g.kernelH() + kh) * g.kernelW() + kw;
                int iw0 = kw * g.dilationW() - g.padLeft();
                int lo = Vec.firstValid(iw0, sw);
                int hi = Math.min(outW, Vec.endValid(iw0, sw, inW));
                if (lo >= hi) {
                    continue;
                }
                float wv = w[wi];
                float acc = 0;
                for (int oh = 0; oh < g.outH(); oh++) {
                    int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                    if (ih < 0 || ih >= g.inH()) {
                        continue;
                    }
                    int xr = xo + ih * inW + iw0;
                    int yr = yo + oh * outW;
                    if (sw == 1) {
                        switch (mode) {
                            case INPUT_GRAD -> Vec.axpy(wv, y, yr + lo, x, xr + lo, hi - lo);
                            case WEIGHT_GRAD -> acc += Vec.dot(y, yr + lo, x, xr + lo, hi - lo);
                        }
                    } else {
                        for (int o = lo; o < hi; o++) {
                            switch (mode) {
                                case INPUT_GRAD -> x[xr + o * sw] += wv * y[yr + o];
                                case WEIGHT_GRAD -> acc += y[yr + o] * x[xr + o * sw];
                            }
                        }
                    }
                }
                if (mode == Mode.WEIGHT_GRAD) {
                    w[wi] += acc;
                }
            }
        }
    }

    private static int minPlanes(ConvGeometry g) {
        long work = (long) g.outH() * g.outW() * g.kernelH() * g.kernelW();
        return (int) Math.max(1, (1 << 15) / Math.max(1, work));
    }
}
