package dev.minnow.kernels;

/**
 * Lowers one image-group of a convolution input to a column matrix and back.
 * col[row][q] with row = (c * kernelH + kh) * kernelW + kw over the group's channels c and
 * q = output position p0 + q (p = oh * outW + ow), for nc consecutive output positions.
 * x is read from xOff = start of channel 0 of the group in the image.
 */
final class Im2col {
    private Im2col() {
    }

    static void im2col(ConvGeometry g, float[] x, int xOff, int p0, int nc, float[] col) {
        walk(g, x, xOff, p0, nc, col, false);
    }

    /** Output planes up to this many positions are lowered by {@link #byIndexMap}. */
    static final int SMALL_PLANE = 256;

    /**
     * im2col of all P = outH * outW positions for small output planes (late layers at batch 1,
     * e.g. 7x7): the row-segment walk would copy a handful of floats per call, so instead one
     * index map per kernel tap (input offset in the plane, or -1 in the padding) is made once
     * and every channel is gathered through it; channels are split over the shared pool.
     */
    static void byIndexMap(ConvGeometry g, float[] x, int xOff, float[] col) {
        int[] map = indexMap(g);
        int P = g.outH() * g.outW();
        int taps = g.kernelH() * g.kernelW();
        int plane = g.inH() * g.inW();
        int channels = g.inChannelsPerGroup();
        Parallel.forRange(channels, Math.max(1, 32768 / Math.max(1, taps * P)), (from, to) -> {
            for (int c = from; c < to; c++) {
                int xc = xOff + c * plane;
                int d = c * taps * P;
                for (int i = 0; i < taps * P; i++) {
                    int m = map[i];
                    col[d + i] = m < 0 ? 0f : x[xc + m];
                }
            }
        });
    }

    /**
     * col^T (P x K, P = outH * outW positions, K = channels * taps) of one image-group written
     * straight into the packed left-operand layout of the GEMM ({@link GemmVector#packAll}: per
     * KC block of K, MR-row panels [kc][MR], zero rows up to roundUp(P, MR)), for the channel-last
     * product Y^T = col^T * W^T of small planes; channels split over the shared pool.
     */
    static void packedTransposed(ConvGeometry g, float[] x, int xOff, float[] ap) {
        int[] map = indexMap(g);
        int P = g.outH() * g.outW();
        int rowsP = GemmVector.roundUp(P, GemmVector.MR);
        int taps = g.kernelH() * g.kernelW();
        int plane = g.inH() * g.inW();
        int K = g.inChannelsPerGroup() * taps;
        int mr = GemmVector.MR;
        Parallel.forRange(g.inChannelsPerGroup(), Math.max(1, 32768 / Math.max(1, taps * P)), (from, to) -> {
            for (int c = from; c < to; c++) {
                int xc = xOff + c * plane;
                for (int t = 0; t < taps; t++) {
                    int k = c * taps + t;
                    int pc = k / GemmVector.KC * GemmVector.KC;
                    int kc = Math.min(GemmVector.KC, K - pc);
                    int base = pc * rowsP + (k - pc) * mr;
                    int m0 = t * P;
                    for (int i0 = 0; i0 < rowsP; i0 += mr) {
                        int d = base + i0 * kc;
                        for (int r = 0; r < mr; r++) {
                            int p = i0 + r;
                            int m = p < P ? map[m0 + p] : -1;
                            ap[d + r] = m < 0 ? 0f : x[xc + m];
                        }
                    }
                }
            }
        });
    }

    /** The adjoint of {@link #im2col}: x += scatter(col). */
    static void col2imAdd(ConvGeometry g, float[] col, int p0, int nc, float[] x, int xOff) {
        walk(g, x, xOff, p0, nc, col, true);
    }

    /**
     * The adjoint of {@link #byIndexMap}: x += scatter(col) over all positions of a small output
     * plane; channels split over the shared pool (each channel's plane is written by one thread).
     */
    static void col2imAddByIndexMap(ConvGeometry g, float[] col, float[] x, int xOff) {
        int[] map = indexMap(g);
        int P = g.outH() * g.outW();
        int taps = g.kernelH() * g.kernelW();
        int plane = g.inH() * g.inW();
        Parallel.forRange(g.inChannelsPerGroup(), Math.max(1, 32768 / Math.max(1, taps * P)), (from, to) -> {
            for (int c = from; c < to; c++) {
                int xc = xOff + c * plane;
                int d = c * taps * P;
                for (int i = 0; i < taps * P; i++) {
                    int m = map[i];
                    if (m >= 0) {
                        x[xc + m] += col[d + i];
                    }
                }
            }
        });
    }

    /** map[t * P + p] = input offset in the plane read by tap t at output position p, -1 in the padding. */
    private static int[] indexMap(ConvGeometry g) {
        int P = g.outH() * g.outW();
        int[] map = new int[g.kernelH() * g.kernelW() * P];
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                int t = kh * g.kernelW() + kw;
                for (int oh = 0; oh < g.outH(); oh++) {
                    int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                    for (int ow = 0; ow < g.outW(); ow++) {
                        int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                        boolean inside = ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW();
                        map[t * P + oh * g.outW() + ow] = inside ? ih * g.inW() + iw : -1;
                    }
                }
            }
        }
        return map;
    }

    private static void walk(ConvGeometry g, float[] x, int xOff, int p0, int nc, float[] col, boolean scatter) {
        int inH = g.inH();
        int inW = g.inW();
        int outW = g.outW();
        int sw = g.strideW();
        int rows = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        for (int row = 0; row < rows; row++) {
            int kw = row % g.kernelW();
            int kh = row / g.kernelW() % g.kernelH();
            int c = row / (g.kernelW() * g.kernelH());
            int xc = xOff + c * inH * inW;
            int iw0 = kw * g.dilationW() - g.padLeft();
            int lo = Vec.firstValid(iw0, sw);
            int hi = Math.min(outW, Vec.endValid(iw0, sw, inW));
            int dst = row * nc;
            int oh = p0 / outW;
            int ow = p0 % outW;
            int left = nc;
            while (left > 0) {
                int seg = Math.min(outW - ow, left);
                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                int end = ow + seg;
                if (ih < 0 || ih >= inH) {
                    if (!scatter) {
                        java.util.Arrays.fill(col, dst, dst + seg, 0f);
                    }
                } else {
                    int a = Math.max(ow, Math.min(lo, end));
                    int b = Math.max(a, Math.min(hi, end));
                    int xrow = xc + ih * inW + iw0;
                    int d = dst - ow;
                    if (scatter) {
                        if (sw == 1) {
                            for (int o = a; o < b; o++) {
                                x[xrow + o] += col[d + o];
                            }
                        } else {
                            for (int o = a; o < b; o++) {
                                x[xrow + o * sw] += col[d + o];
                            }
                        }
                    } else {
                        java.util.Arrays.fill(col, dst, d + a, 0f);
                        if (sw == 1) {
                            System.arraycopy(x, xrow + a, col, d + a, b - a);
                        } else if (b > a) {
                            Eltwise.copyStrided(x, xrow + a * sw, sw, col, d + a, b - a);
                        }
                        java.util.Arrays.fill(col, d + b, d + end, 0f);
                    }
                }
                dst += seg;
                left -= seg;
                ow = 0;
                oh++;
            }
        }
    }
}
