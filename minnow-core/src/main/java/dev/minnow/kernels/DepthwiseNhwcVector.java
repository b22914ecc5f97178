package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API body of {@link DepthwiseConv#forwardNhwc} (only linked when
 * {@link VectorSupport#AVAILABLE}): channels are the vector lanes, so every tap of every output
 * position is one FMA per V channels, whatever the plane size.
 */
final class DepthwiseNhwcVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();

    private DepthwiseNhwcVector() {
    }

    /**
     * Output rows [r0, r1) of r = n * outH + oh. Legend: x [N][inH][inW][C], taps [kH*kW][C],
     * bias [C] (nullable), y [N][outH][outW][C]; y = clamp(bias + sum over taps inside the input).
     */
    static void rows(ConvGeometry g, float[] x, float[] taps, float[] bias, boolean clamp, float lo, float hi,
                     float[] y, int r0, int r1) {
        int C = g.inChannels();
        int full = S.loopBound(C);
        VectorMask<Float> tail = S.indexInRange(full, C);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int kW = g.kernelW();
        int xStepW = g.dilationW() * C;
        for (int r = r0; r < r1; r++) {
            int n = r / g.outH();
            int ih0 = (r % g.outH()) * g.strideH() - g.padTop();
            int kh0 = Vec.firstValid(ih0, g.dilationH());
            int kh1 = Math.min(g.kernelH(), Vec.endValid(ih0, g.dilationH(), g.inH()));
            for (int ow = 0; ow < g.outW(); ow++) {
                int iw0 = ow * g.strideW() - g.padLeft();
                int kw0 = Vec.firstValid(iw0, g.dilationW());
                int kw1 = Math.min(kW, Vec.endValid(iw0, g.dilationW(), g.inW()));
                int yo = (r * g.outW() + ow) * C;
                // x offset of tap (kh, 0) is xBase + kh * xStepH (may point before the row when kw0 > 0)
                int xBase = ((n * g.inH() + ih0) * g.inW() + iw0) * C;
                int xStepH = g.dilationH() * g.inW() * C;
                int c = 0;
                for (; c < full; c += V) {
                    FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c);
                    for (int kh = kh0; kh < kh1; kh++) {
                        int xo = xBase + kh * xStepH + c;
                        int wo = kh * kW * C + c;
                        for (int kw = kw0; kw < kw1; kw++) {
                            acc = FloatVector.fromArray(S, taps, wo + kw * C)
                                    .fma(FloatVector.fromArray(S, x, xo + kw * xStepW), acc);
                        }
                    }
                    if (clamp) {
                        acc = acc.max(vlo).min(vhi);
                    }
                    acc.intoArray(y, yo + c);
                }
                if (c < C) {
                    FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c, tail);
                    for (int kh = kh0; kh < kh1; kh++) {
                        int xo = xBase + kh * xStepH + c;
                        int wo = kh * kW * C + c;
                        for (int kw = kw0; kw < kw1; kw++) {
                            acc = FloatVector.fromArray(S, taps, wo + kw * C, tail)
                                    .fma(FloatVector.fromArray(S, x, xo + kw * xStepW, tail), acc);
                        }
                    }
                    if (clamp) {
                        acc = acc.max(vlo).min(vhi);
                    }
                    acc.intoArray(y, yo + c, tail);
                }
            }
        }
    }
}
