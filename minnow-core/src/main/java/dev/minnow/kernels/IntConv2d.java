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
     * Same result as {@link #forward}, on the fast float kernels (im2col + GEMM, depthwise) when
     * max|x| * max over m of sum|w[m]| <= 2^24: then every partial sum, in whatever order and
     * grouping a kernel adds (FMA included), is an integer of at most that magnitude, which
     * float32 holds exactly, so the float result is the exact integer sum. Int8 models are far
     * inside the bound (MobileNet V2 int8: at most about 2^22). Winograd is never used (its
     * transforms round). Otherwise falls back to the direct loops.
     */
    public static void forwardFast(ConvGeometry g, int[] x, int[] w, int[] y) {
        if (g.outputSize() == 0) {
            return;
        }
        long maxX = 0;
        for (int i = 0; i < g.inputSize(); i++) {
            maxX = Math.max(maxX, Math.abs((long) x[i]));
        }
        int perFilter = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        long maxRow = 0;
        for (int m = 0; m < g.outChannels(); m++) {
            long row = 0;
            for (int k = m * perFilter; k < (m + 1) * perFilter; k++) {
                row += Math.abs((long) w[k]);
            }
            maxRow = Math.max(maxRow, row);
        }
        if (maxRow != 0 && maxX > FLOAT_EXACT / maxRow) {
            forward(g, x, w, y);
            return;
        }
        float[] xf = new float[g.inputSize()];
        for (int i = 0; i < xf.length; i++) {
            xf[i] = x[i];
        }
        float[] wf = new float[g.outChannels() * perFilter];
        for (int i = 0; i < wf.length; i++) {
            wf[i] = w[i];
        }
        float[] yf = new float[g.outputSize()];
        Conv2d.Algorithm a = Conv2d.algorithmFor(g) == Conv2d.Algorithm.DEPTHWISE
                ? Conv2d.Algorithm.DEPTHWISE : Conv2d.Algorithm.IM2COL_GEMM;
        Conv2d.forward(g, xf, wf, null, yf, a);
        for (int i = 0; i < yf.length; i++) {
            y[i] = (int) yf[i];
        }
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
