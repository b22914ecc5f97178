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

    /** The adjoint of {@link #im2col}: x += scatter(col). */
    static void col2imAdd(ConvGeometry g, float[] col, int p0, int nc, float[] x, int xOff) {
        walk(g, x, xOff, p0, nc, col, true);
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
