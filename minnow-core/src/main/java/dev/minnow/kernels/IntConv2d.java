package dev.minnow.kernels;

/**
 * Exact integer 2-D convolution (cross-correlation, as ONNX ConvInteger / QLinearConv) by direct
 * loops with int accumulation; geometry as {@link ConvGeometry}. x: [N, C, H, W] and w:
 * [M, C/groups, kH, kW] hold values with their zero points already subtracted, so padding is 0;
 * y: [N, M, oH, oW] (overwritten). Parallel over (n, m) output planes.
 */
public final class IntConv2d {
    private IntConv2d() {
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
