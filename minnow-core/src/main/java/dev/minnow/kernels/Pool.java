package dev.minnow.kernels;

import java.util.Arrays;

/**
 * Pooling kernels every op calls (same contract as {@link PoolNaive}, legend in
 * {@link PoolGeometry}). Window ranges are clipped to the input once per output position, so
 * the inner loops carry no bounds checks, and planes (N * C) run in parallel.
 */
public final class Pool {
    /** Slack past a scratch row for vector loads whose extra lanes are not stored (16 lanes at most). */
    private static final int VECTOR_SLACK = 64;
    private Pool() {
    }

    /** First kernel tap whose position start + k * dil is >= 0. */
    private static int lo(int start, int dil) {
        return start >= 0 ? 0 : (-start + dil - 1) / dil;
    }

    /** One past the last kernel tap whose position start + k * dil is < size. */
    private static int hi(int start, int dil, int kernel, int size) {
        if (start >= size) {
            return 0;
        }
        return Math.min(kernel, (size - 1 - start) / dil + 1);
    }

    private interface Window {
        /** Visits one output position of a plane: o = output index, window taps [d0,d1)x[h0,h1)x[w0,w1). */
        void at(int plane, int o, int sd, int d0, int d1, int sh, int h0, int h1, int sw, int w0, int w1);
    }

    private static void forEachWindow(PoolGeometry g, Window body) {
        int minChunk = Math.max(1, 16384 / Math.max(1, g.outPlane() * g.kernelD() * g.kernelH() * g.kernelW()));
        Parallel.forRange(g.planes(), minChunk, (from, to) -> {
            for (int p = from; p < to; p++) {
                int o = p * g.outPlane();
                for (int od = 0; od < g.outD(); od++) {
                    int sd = od * g.strideD() - g.padFront();
                    int d0 = lo(sd, g.dilationD());
                    int d1 = hi(sd, g.dilationD(), g.kernelD(), g.inD());
                    for (int oh = 0; oh < g.outH(); oh++) {
                        int sh = oh * g.strideH() - g.padTop();
                        int h0 = lo(sh, g.dilationH());
                        int h1 = hi(sh, g.dilationH(), g.kernelH(), g.inH());
                        for (int ow = 0; ow < g.outW(); ow++, o++) {
                            int sw = ow * g.strideW() - g.padLeft();
                            body.at(p, o, sd, d0, d1, sh, h0, h1, sw, lo(sw, g.dilationW()),
                                    hi(sw, g.dilationW(), g.kernelW(), g.inW()));
                        }
                    }
                }
            }
        });
    }

    /** Per output index along one axis: window start in the input and the valid tap range [lo, hi). */
    private record Axis(int[] start, int[] lo, int[] hi) {
        static Axis of(int out, int stride, int pad, int dil, int kernel, int size) {
            int[] s = new int[out];
            int[] l = new int[out];
            int[] h = new int[out];
            for (int o = 0; o < out; o++) {
                s[o] = o * stride - pad;
                l[o] = Pool.lo(s[o], dil);
                h[o] = Pool.hi(s[o], dil, kernel, size);
            }
            return new Axis(s, l, h);
        }
    }

    /**
     * y = max over each window; argmax (nullable) = index of the first maximum within its plane, -1 if none.
     * Written out without the per-window callback of the other kernels: it is the hot pooling kernel in training.
     */
    public static void maxForward(PoolGeometry g, float[] x, float[] y, int[] argmax) {
        if (argmax == null && g.inD() == 1 && g.outD() == 1 && g.kernelD() == 1) {
            maxForward2d(g, x, y);
            return;
        }
        int inH = g.inH();
        int inW = g.inW();
        int dd = g.dilationD();
        int dh = g.dilationH();
        int dw = g.dilationW();
        Axis ad = Axis.of(g.outD(), g.strideD(), g.padFront(), dd, g.kernelD(), g.inD());
        Axis ah = Axis.of(g.outH(), g.strideH(), g.padTop(), dh, g.kernelH(), inH);
        Axis aw = Axis.of(g.outW(), g.strideW(), g.padLeft(), dw, g.kernelW(), inW);
        int minChunk = Math.max(1, 16384 / Math.max(1, g.outPlane() * g.kernelD() * g.kernelH() * g.kernelW()));
        Parallel.forRange(g.planes(), minChunk, (from, to) -> {
            for (int p = from; p < to; p++) {
                int base = p * g.inPlane();
                int o = p * g.outPlane();
                for (int od = 0; od < g.outD(); od++) {
                    int sd = ad.start()[od];
                    int d0 = ad.lo()[od];
                    int d1 = ad.hi()[od];
                    for (int oh = 0; oh < g.outH(); oh++) {
                        int sh = ah.start()[oh];
                        int h0 = ah.lo()[oh];
                        int h1 = ah.hi()[oh];
                        for (int ow = 0; ow < g.outW(); ow++, o++) {
                            int sw = aw.start()[ow];
                            int w0 = aw.lo()[ow];
                            int w1 = aw.hi()[ow];
                            float best = Float.NEGATIVE_INFINITY;
                            int at = -1;
                            if (d1 > d0 && h1 > h0 && w1 > w0) {
                                // the maximum first (no data-dependent branch), then the first tap holding it:
                                // on random data a compare-and-branch per tap mispredicts half the time
                                for (int kd = d0; kd < d1; kd++) {
                                    for (int kh = h0; kh < h1; kh++) {
                                        int row = base + ((sd + kd * dd) * inH + sh + kh * dh) * inW + sw;
                                        for (int kw = w0; kw < w1; kw++) {
                                            float v = x[row + kw * dw];
                                            best = v > best ? v : best;
                                        }
                                    }
                                }
                                if (argmax != null) {
                                    at = firstAt(x, base, best, inH, inW, sd, d0, d1, dd, sh, h0, h1, dh, sw, w0, w1, dw);
                                }
                            }
                            y[o] = best;
                            if (argmax != null) {
                                argmax[o] = at;
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * 2-D max pooling without argmax (inference): per output row, the valid input rows of the
     * window are reduced into one row by vector max, then each output takes the max of its
     * horizontal taps in that row; with the Vector API both passes are one call per output row
     * ({@link EltwiseVector#maxPoolRow}). Planes run in parallel. A NaN in a window may or may not win.
     */
    private static void maxForward2d(PoolGeometry g, float[] x, float[] y) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int dh = g.dilationH();
        int dw = g.dilationW();
        Axis ah = Axis.of(outH, g.strideH(), g.padTop(), dh, g.kernelH(), inH);
        Axis aw = Axis.of(outW, g.strideW(), g.padLeft(), dw, g.kernelW(), inW);
        // [full0, full1): outputs whose horizontal window lies wholly inside the row
        int f0 = 0;
        while (f0 < outW && (aw.lo()[f0] != 0 || aw.hi()[f0] != g.kernelW())) {
            f0++;
        }
        int full0 = f0;
        int f1 = full0;
        while (f1 < outW && aw.lo()[f1] == 0 && aw.hi()[f1] == g.kernelW()) {
            f1++;
        }
        int full1 = f1;
        int minChunk = Math.max(1, 16384 / Math.max(1, g.outPlane() * g.kernelH() * g.kernelW()));
        Parallel.forRange(g.planes(), minChunk, (from, to) -> {
            float[] row = new float[inW + g.kernelW() * dw + 2 * VECTOR_SLACK];
            for (int p = from; p < to; p++) {
                int base = p * g.inPlane();
                int o = p * g.outPlane();
                for (int oh = 0; oh < outH; oh++, o += outW) {
                    int h0 = ah.lo()[oh];
                    int h1 = ah.hi()[oh];
                    if (h1 <= h0) {
                        Arrays.fill(y, o, o + outW, Float.NEGATIVE_INFINITY);
                        continue;
                    }
                    int first = base + (ah.start()[oh] + h0 * dh) * inW;
                    if (VectorSupport.AVAILABLE) {
                        EltwiseVector.maxPoolRow(x, first, h1 - h0, dh * inW, inW, row, g.kernelW(), dw,
                                g.strideW(), full1 > full0 ? aw.start()[full0] : 0, y, o + full0, full1 - full0);
                    } else {
                        System.arraycopy(x, first, row, 0, inW);
                        for (int kh = h0 + 1; kh < h1; kh++) {
                            Eltwise.max(x, first + (kh - h0) * dh * inW, row, 0, inW);
                        }
                        if (full1 > full0) {
                            Eltwise.stridedMax(row, aw.start()[full0], g.strideW(), dw, g.kernelW(), y, o + full0,
                                    full1 - full0);
                        }
                    }
                    for (int ow = 0; ow < outW; ow++) {
                        if (ow == full0 && full1 > full0) {
                            ow = full1 - 1;
                            continue;
                        }
                        int sw = aw.start()[ow];
                        float best = Float.NEGATIVE_INFINITY;
                        for (int kw = aw.lo()[ow], e = aw.hi()[ow]; kw < e; kw++) {
                            float v = row[sw + kw * dw];
                            best = v > best ? v : best;
                        }
                        y[o + ow] = best;
                    }
                }
            }
        });
    }

    /** Plane index of the first tap of a window whose value is v (v is the window's maximum). */
    private static int firstAt(float[] x, int base, float v, int inH, int inW, int sd, int d0, int d1, int dd,
                               int sh, int h0, int h1, int dh, int sw, int w0, int w1, int dw) {
        for (int kd = d0; kd < d1; kd++) {
            for (int kh = h0; kh < h1; kh++) {
                int row = ((sd + kd * dd) * inH + sh + kh * dh) * inW + sw;
                for (int kw = w0; kw < w1; kw++) {
                    int i = row + kw * dw;
                    if (x[base + i] == v || Float.isNaN(v)) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /** dx = gradient of max pooling, routed to the argmax of each window (dx overwritten). */
    public static void maxBackward(PoolGeometry g, float[] dy, int[] argmax, float[] dx) {
        int outPlane = g.outPlane();
        int inPlane = g.inPlane();
        Parallel.forRange(g.planes(), Math.max(1, 16384 / Math.max(1, outPlane)), (from, to) -> {
            Arrays.fill(dx, from * inPlane, to * inPlane, 0f);
            for (int p = from; p < to; p++) {
                for (int o = p * outPlane, e = o + outPlane; o < e; o++) {
                    if (argmax[o] >= 0) {
                        dx[p * inPlane + argmax[o]] += dy[o];
                    }
                }
            }
        });
    }

    /** Number of window positions inside the input, or inside the padded input when countIncludePad. */
    private static int divisor(PoolGeometry g, boolean countIncludePad, int sd, int d0, int d1, int sh, int h0, int h1,
                               int sw, int w0, int w1) {
        if (!countIncludePad) {
            return Math.max(1, (d1 - d0) * (h1 - h0) * (w1 - w0));
        }
        int nd = hi(sd + g.padFront(), g.dilationD(), g.kernelD(), g.inD() + g.padFront() + g.padBack())
                - lo(sd + g.padFront(), g.dilationD());
        int nh = hi(sh + g.padTop(), g.dilationH(), g.kernelH(), g.inH() + g.padTop() + g.padBottom())
                - lo(sh + g.padTop(), g.dilationH());
        int nw = hi(sw + g.padLeft(), g.dilationW(), g.kernelW(), g.inW() + g.padLeft() + g.padRight())
                - lo(sw + g.padLeft(), g.dilationW());
        return Math.max(1, nd * nh * nw);
    }

    public static void avgForward(PoolGeometry g, float[] x, float[] y, boolean countIncludePad) {
        int inH = g.inH();
        int inW = g.inW();
        forEachWindow(g, (p, o, sd, d0, d1, sh, h0, h1, sw, w0, w1) -> {
            int base = p * g.inPlane();
            float acc = 0;
            for (int kd = d0; kd < d1; kd++) {
                for (int kh = h0; kh < h1; kh++) {
                    int row = base + ((sd + kd * g.dilationD()) * inH + sh + kh * g.dilationH()) * inW + sw;
                    for (int kw = w0; kw < w1; kw++) {
                        acc += x[row + kw * g.dilationW()];
                    }
                }
            }
            y[o] = acc / divisor(g, countIncludePad, sd, d0, d1, sh, h0, h1, sw, w0, w1);
        });
    }

    /** dx overwritten. Planes are independent, so each thread writes only its own planes of dx. */
    public static void avgBackward(PoolGeometry g, float[] dy, float[] dx, boolean countIncludePad) {
        int inH = g.inH();
        int inW = g.inW();
        Arrays.fill(dx, 0, g.inputSize(), 0f);
        forEachWindow(g, (p, o, sd, d0, d1, sh, h0, h1, sw, w0, w1) -> {
            int base = p * g.inPlane();
            float v = dy[o] / divisor(g, countIncludePad, sd, d0, d1, sh, h0, h1, sw, w0, w1);
            for (int kd = d0; kd < d1; kd++) {
                for (int kh = h0; kh < h1; kh++) {
                    int row = base + ((sd + kd * g.dilationD()) * inH + sh + kh * g.dilationH()) * inW + sw;
                    for (int kw = w0; kw < w1; kw++) {
                        dx[row + kw * g.dilationW()] += v;
                    }
                }
            }
        });
    }

    /** y = (sum |x|^p)^(1/p) over each window (padding counts as 0). */
    public static void lpForward(PoolGeometry g, float[] x, float[] y, float p) {
        int inH = g.inH();
        int inW = g.inW();
        forEachWindow(g, (pl, o, sd, d0, d1, sh, h0, h1, sw, w0, w1) -> {
            int base = pl * g.inPlane();
            double acc = 0;
            for (int kd = d0; kd < d1; kd++) {
                for (int kh = h0; kh < h1; kh++) {
                    int row = base + ((sd + kd * g.dilationD()) * inH + sh + kh * g.dilationH()) * inW + sw;
                    for (int kw = w0; kw < w1; kw++) {
                        float v = Math.abs(x[row + kw * g.dilationW()]);
                        acc += p == 2 ? v * v : Math.pow(v, p);
                    }
                }
            }
            y[o] = (float) (p == 2 ? Math.sqrt(acc) : Math.pow(acc, 1.0 / p));
        });
    }

    /** dx = dy * |x|^(p-1) * sign(x) / y^(p-1) (0 where y is 0); dx overwritten. */
    public static void lpBackward(PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx, float p) {
        int inH = g.inH();
        int inW = g.inW();
        Arrays.fill(dx, 0, g.inputSize(), 0f);
        forEachWindow(g, (pl, o, sd, d0, d1, sh, h0, h1, sw, w0, w1) -> {
            if (y[o] == 0) {
                return;
            }
            int base = pl * g.inPlane();
            double scale = dy[o] / Math.pow(y[o], p - 1);
            for (int kd = d0; kd < d1; kd++) {
                for (int kh = h0; kh < h1; kh++) {
                    int row = base + ((sd + kd * g.dilationD()) * inH + sh + kh * g.dilationH()) * inW + sw;
                    for (int kw = w0; kw < w1; kw++) {
                        int i = row + kw * g.dilationW();
                        dx[i] += (float) (scale * Math.signum(x[i]) * Math.pow(Math.abs(x[i]), p - 1));
                    }
                }
            }
        });
    }
}
