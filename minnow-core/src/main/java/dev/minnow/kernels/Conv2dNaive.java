package dev.minnow.kernels;

/**
 * Reference 2-D convolution (cross-correlation, as ONNX Conv) by direct loops; the oracle
 * for {@link Conv2d}. x: [N, C, H, W], w: [M, C/groups, kH, kW], y: [N, M, oH, oW].
 */
public final class Conv2dNaive {
    private Conv2dNaive() {
    }

    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int m = 0; m < g.outChannels(); m++) {
                int grp = m / mpg;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        double acc = bias == null ? 0 : bias[m];
                        for (int c = 0; c < cpg; c++) {
                            int ci = grp * cpg + c;
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                                if (ih < 0 || ih >= g.inH()) {
                                    continue;
                                }
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    if (iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    acc += (double) x[((n * g.inChannels() + ci) * g.inH() + ih) * g.inW() + iw]
                                            * w[((m * cpg + c) * g.kernelH() + kh) * g.kernelW() + kw];
                                }
                            }
                        }
                        y[((n * g.outChannels() + m) * g.outH() + oh) * g.outW() + ow] = (float) acc;
                    }
                }
            }
        }
    }

    /** dx = gradient w.r.t. x given dy (dx is overwritten). */
    public static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        java.util.Arrays.fill(dx, 0, g.inputSize(), 0f);
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int m = 0; m < g.outChannels(); m++) {
                int grp = m / mpg;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        float d = dy[((n * g.outChannels() + m) * g.outH() + oh) * g.outW() + ow];
                        for (int c = 0; c < cpg; c++) {
                            int ci = grp * cpg + c;
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                                if (ih < 0 || ih >= g.inH()) {
                                    continue;
                                }
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    if (iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    dx[((n * g.inChannels() + ci) * g.inH() + ih) * g.inW() + iw] +=
                                            d * w[((m * cpg + c) * g.kernelH() + kh) * g.kernelW() + kw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** dw (and dbias when not null) = gradients w.r.t. weights and bias (overwritten). */
    public static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        java.util.Arrays.fill(dw, 0, g.weightSize(), 0f);
        if (dbias != null) {
            java.util.Arrays.fill(dbias, 0, g.outChannels(), 0f);
        }
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        for (int n = 0; n < g.batch(); n++) {
            for (int m = 0; m < g.outChannels(); m++) {
                int grp = m / mpg;
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        float d = dy[((n * g.outChannels() + m) * g.outH() + oh) * g.outW() + ow];
                        if (dbias != null) {
                            dbias[m] += d;
                        }
                        for (int c = 0; c < cpg; c++) {
                            int ci = grp * cpg + c;
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                                if (ih < 0 || ih >= g.inH()) {
                                    continue;
                                }
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    if (iw < 0 || iw >= g.inW()) {
                                        continue;
                                    }
                                    dw[((m * cpg + c) * g.kernelH() + kh) * g.kernelW() + kw] +=
                                            d * x[((n * g.inChannels() + ci) * g.inH() + ih) * g.inW() + iw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
