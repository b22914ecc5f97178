package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API body of {@link DepthwiseConv#forwardNhwc} (only linked when
 * {@link VectorSupport#AVAILABLE}): channels are the vector lanes, so every tap of every output
 * position is one FMA per V channels, whatever the plane size. For 3x3 kernels the nine weight
 * vectors of a channel block stay in registers while a whole output row is swept; positions
 * whose window reaches into the padding (and other kernel sizes) loop over their valid taps.
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
        boolean k3 = g.kernelH() == 3 && g.kernelW() == 3;
        // output columns [ow0, ow1) have all kernel columns inside the input
        int ow0 = Math.min(g.outW(), Vec.firstValid(-g.padLeft(), g.strideW()));
        int ow1 = Math.max(ow0, Math.min(g.outW(),
                Vec.endValid((g.kernelW() - 1) * g.dilationW() - g.padLeft(), g.strideW(), g.inW())));
        for (int r = r0; r < r1; r++) {
            int ih0 = (r % g.outH()) * g.strideH() - g.padTop();
            for (int c = 0; c < full; c += V) {
                if (k3) {
                    for (int ow = 0; ow < ow0; ow++) {
                        position(g, x, taps, bias, clamp, lo, hi, y, r, ow, c, null);
                    }
                    row3x3(g, x, taps, bias, clamp, lo, hi, y, r, ow0, ow1, c);
                    for (int ow = ow1; ow < g.outW(); ow++) {
                        position(g, x, taps, bias, clamp, lo, hi, y, r, ow, c, null);
                    }
                } else {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        position(g, x, taps, bias, clamp, lo, hi, y, r, ow, c, null);
                    }
                }
            }
            if (full < C) {
                VectorMask<Float> tail = S.indexInRange(full, C);
                for (int ow = 0; ow < g.outW(); ow++) {
                    position(g, x, taps, bias, clamp, lo, hi, y, r, ow, full, tail);
                }
            }
        }
    }

    /**
     * Channels [c, c+V) of output positions [ow0, ow1) of row r, whose three kernel columns are
     * inside the input; kernel rows outside it (top and bottom output rows) are skipped.
     */
    private static void row3x3(ConvGeometry g, float[] x, float[] taps, float[] bias, boolean clamp, float lo,
                               float hi, float[] y, int r, int ow0, int ow1, int c) {
        int C = g.inChannels();
        int n = r / g.outH();
        int ih0 = (r % g.outH()) * g.strideH() - g.padTop();
        boolean top = ih0 >= 0 && ih0 < g.inH();
        boolean mid = ih0 + g.dilationH() >= 0 && ih0 + g.dilationH() < g.inH();
        boolean bottom = ih0 + 2 * g.dilationH() >= 0 && ih0 + 2 * g.dilationH() < g.inH();
        int dw = g.dilationW() * C;
        int dh = g.dilationH() * g.inW() * C;
        FloatVector w0 = FloatVector.fromArray(S, taps, c);
        FloatVector w1 = FloatVector.fromArray(S, taps, C + c);
        FloatVector w2 = FloatVector.fromArray(S, taps, 2 * C + c);
        FloatVector w3 = FloatVector.fromArray(S, taps, 3 * C + c);
        FloatVector w4 = FloatVector.fromArray(S, taps, 4 * C + c);
        FloatVector w5 = FloatVector.fromArray(S, taps, 5 * C + c);
        FloatVector w6 = FloatVector.fromArray(S, taps, 6 * C + c);
        FloatVector w7 = FloatVector.fromArray(S, taps, 7 * C + c);
        FloatVector w8 = FloatVector.fromArray(S, taps, 8 * C + c);
        FloatVector b = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c);
        FloatVector vlo = FloatVector.broadcast(S, lo);
        FloatVector vhi = FloatVector.broadcast(S, hi);
        int xs = g.strideW() * C;
        // x offset of kernel row 0 (may lie outside x when that row is skipped)
        int xo = ((n * g.inH() + ih0) * g.inW() + ow0 * g.strideW() - g.padLeft()) * C + c;
        int yo = (r * g.outW() + ow0) * C + c;
        for (int ow = ow0; ow < ow1; ow++, xo += xs, yo += C) {
            FloatVector acc = b;
            if (top) {
                acc = w0.fma(FloatVector.fromArray(S, x, xo), acc);
                acc = w1.fma(FloatVector.fromArray(S, x, xo + dw), acc);
                acc = w2.fma(FloatVector.fromArray(S, x, xo + 2 * dw), acc);
            }
            if (mid) {
                acc = w3.fma(FloatVector.fromArray(S, x, xo + dh), acc);
                acc = w4.fma(FloatVector.fromArray(S, x, xo + dh + dw), acc);
                acc = w5.fma(FloatVector.fromArray(S, x, xo + dh + 2 * dw), acc);
            }
            if (bottom) {
                acc = w6.fma(FloatVector.fromArray(S, x, xo + 2 * dh), acc);
                acc = w7.fma(FloatVector.fromArray(S, x, xo + 2 * dh + dw), acc);
                acc = w8.fma(FloatVector.fromArray(S, x, xo + 2 * dh + 2 * dw), acc);
            }
            if (clamp) {
                acc = acc.max(vlo).min(vhi);
            }
            acc.intoArray(y, yo);
        }
    }

    /** Channels [c, c+V) (the lanes of mask when not null) of output (r, ow), over the taps inside the input. */
    private static void position(ConvGeometry g, float[] x, float[] taps, float[] bias, boolean clamp, float lo,
                                 float hi, float[] y, int r, int ow, int c, VectorMask<Float> mask) {
        int C = g.inChannels();
        int kW = g.kernelW();
        int n = r / g.outH();
        int ih0 = (r % g.outH()) * g.strideH() - g.padTop();
        int kh0 = Vec.firstValid(ih0, g.dilationH());
        int kh1 = Math.min(g.kernelH(), Vec.endValid(ih0, g.dilationH(), g.inH()));
        int iw0 = ow * g.strideW() - g.padLeft();
        int kw0 = Vec.firstValid(iw0, g.dilationW());
        int kw1 = Math.min(kW, Vec.endValid(iw0, g.dilationW(), g.inW()));
        // x offset of tap (kh, kw) is xBase + kh * xStepH + kw * xStepW (xBase alone may lie outside x)
        int xBase = ((n * g.inH() + ih0) * g.inW() + iw0) * C + c;
        int xStepH = g.dilationH() * g.inW() * C;
        int xStepW = g.dilationW() * C;
        int yo = (r * g.outW() + ow) * C + c;
        if (mask == null) {
            FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c);
            for (int kh = kh0; kh < kh1; kh++) {
                for (int kw = kw0; kw < kw1; kw++) {
                    acc = FloatVector.fromArray(S, taps, (kh * kW + kw) * C + c)
                            .fma(FloatVector.fromArray(S, x, xBase + kh * xStepH + kw * xStepW), acc);
                }
            }
            if (clamp) {
                acc = acc.max(lo).min(hi);
            }
            acc.intoArray(y, yo);
        } else {
            FloatVector acc = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, c, mask);
            for (int kh = kh0; kh < kh1; kh++) {
                for (int kw = kw0; kw < kw1; kw++) {
                    acc = FloatVector.fromArray(S, taps, (kh * kW + kw) * C + c, mask)
                            .fma(FloatVector.fromArray(S, x, xBase + kh * xStepH + kw * xStepW, mask), acc);
                }
            }
            if (clamp) {
                acc = acc.max(lo).min(hi);
            }
            acc.intoArray(y, yo, mask);
        }
    }
}
