package dev.minnow.kernels;

/**
 * Exact integer 2-D convolution (cross-correlation, as ONNX ConvInteger / QLinearConv); geometry
 * as {@link ConvGeometry}. x: [N, C, H, W] and w: [M, C/groups, kH, kW] hold values with their
 * zero points already subtracted, so padding is 0; y: [N, M, oH, oW] (overwritten).
 * {@link #forward} is the direct-loop reference (int accumulation, parallel over (n, m) output
 * planes); {@link #forwardFast} computes the same integers on the float kernels when that is exact.
 */
public final class IntConv2d {
    /** float32 represents every integer of magnitude up to 2^24 exactly. */
    static final long FLOAT_EXACT = 1L << 24;

    private IntConv2d() {
    }

    /**
     * Same result as {@link #forward}, on the fast float kernels when {@link #exactInFloat} holds
     * for the data ({@link #forwardExactFloat}); otherwise the direct loops.
     */
    public static void forwardFast(ConvGeometry g, int[] x, int[] w, int[] y) {
        if (g.outputSize() == 0) {
            return;
        }
        long maxX = 0;
        for (int i = 0; i < g.inputSize(); i++) {
            maxX = Math.max(maxX, Math.abs((long) x[i]));
        }
        if (!exactInFloat(maxX, maxFilterAbsSum(w, g.outChannels()))) {
            forward(g, x, w, y);
            return;
        }
        float[] xf = new float[g.inputSize()];
        for (int i = 0; i < xf.length; i++) {
            xf[i] = x[i];
        }
        float[] wf = new float[w.length];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = w[i];
        }
        float[] yf = new float[g.outputSize()];
        forwardExactFloat(g, xf, wf, yf);
        for (int i = 0; i < yf.length; i++) {
            y[i] = (int) yf[i];
        }
    }

    /**
     * True when max|x| * max over filters of sum|w| <= 2^24: then every partial sum of a
     * convolution, in whatever order and grouping a kernel adds (FMA included), is an integer of at
     * most that magnitude, which float32 holds exactly, so a float kernel gives the exact integer
     * sums. Int8 models are far inside the bound (MobileNet V2 int8: at most about 2^22).
     */
    public static boolean exactInFloat(long maxAbsX, long maxFilterAbsSum) {
        return maxFilterAbsSum == 0 || maxAbsX <= FLOAT_EXACT / maxFilterAbsSum;
    }

    /** Largest sum of |w| over one filter; w holds filters equal-sized filters back to back. */
    public static long maxFilterAbsSum(int[] w, int filters) {
        int per = filters == 0 ? 0 : w.length / filters;
        long max = 0;
        for (int m = 0; m < filters; m++) {
            long sum = 0;
            for (int k = m * per; k < (m + 1) * per; k++) {
                sum += Math.abs((long) w[k]);
            }
            max = Math.max(max, sum);
        }
        return max;
    }

    /**
     * The integer convolution of integer-valued floats on the float kernels (im2col + GEMM or
     * depthwise; never Winograd, whose transforms round); exact when {@link #exactInFloat} holds,
     * which the caller checks.
     */
    public static void forwardExactFloat(ConvGeometry g, float[] x, float[] w, float[] y) {
        Conv2d.Algorithm a = Conv2d.algorithmFor(g) == Conv2d.Algorithm.DEPTHWISE
                ? Conv2d.Algorithm.DEPTHWISE : Conv2d.Algorithm.IM2COL_GEMM;
        Conv2d.forward(g, x, w, null, y, a);
    }

    public static void forward(ConvGeometry g, int[] x, int[] w, int[] y) {
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        int planes = g.batch() * g.outChannels();
        Parallel.forRange(planes, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int n = p / g.outChannels();
                int m = p % g.outChannels();
                int grp = m / mpg;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        int acc = 0;
                        for (int c = 0; c < cpg; c++) {
                            int xc = (n * g.inChannels() + grp * cpg + c) * g.inH();
                            int wc = (m * cpg + c) * g.kernelH();
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                                if (ih < 0 || ih >= g.inH()) {
                                    continue;
                                }
                                int xr = (xc + ih) * g.inW();
                                int wr = (wc + kh) * g.kernelW();
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    if (iw >= 0 && iw < g.inW()) {
                                        acc += x[xr + iw] * w[wr + kw];
                                    }
                                }
                            }
                        }
                        y[(p * g.outH() + oh) * g.outW() + ow] = acc;
                    }
                }
            }
        });
    }
}
