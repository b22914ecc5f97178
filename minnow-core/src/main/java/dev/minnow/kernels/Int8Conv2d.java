package dev.minnow.kernels;

/**
 * Integer 2-D convolution over 8-bit codes (ONNX QLinearConv / ConvInteger): acc[n][m][p] =
 * sum over the window of (x - xZero) * (w - wZero[m]), exact int32; geometry as
 * {@link ConvGeometry}, x: [N, C, H, W] codes, acc: [N, M, oH, oW] (overwritten). Padding is the
 * input's zero point, as QLinearConv defines, so it contributes nothing.
 *
 * <p>Grouped convolutions run im2col over the codes (a 1x1, stride 1, unpadded one reads x as it
 * is) and the float GEMM on the codes, exact below 2^24 ({@link #EXACT_FLOAT_TERMS}; {@link Int8Gemm}
 * is the integer reference), with the weights prepared once ({@link #prepare}); the zero points come
 * out through sums: sum (x - zx)(w - zw) = sum x w - zx sum w - zw sum x + K zx zw, the weight row
 * sums made once, the column sums of x only when some zw is not 0. Depthwise convolutions
 * (one input and one output channel per group) run {@link #depthwise}, direct loops over a
 * zero-padded plane of x - zx. {@link IntConv2d#forward} is the naive twin.
 */
public final class Int8Conv2d {
    private Int8Conv2d() {
    }

    /**
     * Weights [M, C/groups, kH, kW] prepared once. uint8 weights are moved to int8 (w - 128 with
     * the zero point moved alike), so x may be uint8 or int8 and every product fits in a short.
     * codesAsFloats: the int8 codes as floats for the exact float GEMM, null when depthwise; shifted: w - zw as ints
     * (the depthwise kernel's and the naive twin's input); rowSums: sum of the int8 codes per
     * output channel; zeroPoints: per output channel, in the int8 form.
     */
    public record Weights(int outChannels, int groups, int perFilter, boolean depthwise,
                          int[] shifted, int[] rowSums, int[] zeroPoints, boolean zeroPointsZero, float[] codesAsFloats) {
    }

    /**
     * Products of int8 codes (|w| <= 128) and x codes (|x| <= 255) are at most 32,640; float32
     * holds every integer below 2^24 exactly, so any sum of up to 514 of them, in any order and
     * with fused multiply-adds, is exact. The float kernels then give the integer result bit for
     * bit, and they are about four times faster here than the int16-pair kernel (Java's Vector API
     * has no pairwise multiply-add: docs/BENCHMARKS.md). Longer sums go in chunks of this many
     * terms, added in int32.
     */
    public static final int EXACT_FLOAT_TERMS = 512;

    /**
     * Prepares w (outChannels filters of perFilter codes, uint8 when unsigned) with zero points
     * (1 or outChannels values, as ints of w's type).
     */
    public static Weights prepare(byte[] w, boolean unsigned, int[] zeroPoints, int outChannels, int groups,
                                  int perFilter, boolean depthwise) {
        int shift = unsigned ? 128 : 0;
        byte[] codes = new byte[outChannels * perFilter];
        int[] shifted = new int[codes.length];
        int[] rowSums = new int[outChannels];
        int[] zp = new int[outChannels];
        boolean allZero = true;
        for (int m = 0; m < outChannels; m++) {
            int z = zeroPoints[zeroPoints.length == 1 ? 0 : m];
            zp[m] = z - shift;
            allZero &= zp[m] == 0;
            for (int k = m * perFilter; k < (m + 1) * perFilter; k++) {
                int v = unsigned ? w[k] & 0xff : w[k];
                codes[k] = (byte) (v - shift);
                rowSums[m] += v - shift;
                shifted[k] = v - z;
            }
        }
        float[] asFloats = null;
        if (!depthwise) {
            asFloats = new float[codes.length];
            for (int i = 0; i < codes.length; i++) {
                asFloats[i] = codes[i];
            }
        }
        return new Weights(outChannels, groups, perFilter, depthwise, shifted, rowSums, zp, allZero, asFloats);
    }

    /** Whether g is a depthwise convolution (the case {@link #depthwise} handles). */
    public static boolean isDepthwise(ConvGeometry g) {
        return g.groups() == g.inChannels() && g.groups() == g.outChannels() && g.groups() > 1;
    }

    public static void forward(ConvGeometry g, byte[] x, boolean xUnsigned, int xZero, Weights w, int[] acc) {
        if (g.outputSize() == 0) {
            return;
        }
        if (w.depthwise()) {
            depthwise(g, x, xUnsigned, xZero, w.shifted(), acc);
            return;
        }
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        int k = cpg * g.kernelH() * g.kernelW();
        int pixels = g.outH() * g.outW();
        int plane = g.inH() * g.inW();
        boolean direct = g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
        byte[] col = direct ? null : new byte[k * pixels];
        int[] colSums = w.zeroPointsZero() ? null : new int[pixels];
        for (int n = 0; n < g.batch(); n++) {
            for (int grp = 0; grp < g.groups(); grp++) {
                int xOff = (n * g.inChannels() + grp * cpg) * plane;
                byte[] b = x;
                int bOff = xOff;
                if (!direct) {
                    im2col(g, x, xOff, (byte) xZero, col);
                    b = col;
                    bOff = 0;
                }
                int cOff = (n * g.outChannels() + grp * mpg) * pixels;
                exactFloatGemm(w.codesAsFloats(), grp * mpg * k, mpg, k, pixels, b, bOff, xUnsigned, acc, cOff);
                if (colSums != null) {
                    java.util.Arrays.fill(colSums, 0);
                    for (int r = 0; r < k; r++) {
                        int row = bOff + r * pixels;
                        for (int p = 0; p < pixels; p++) {
                            colSums[p] += xUnsigned ? b[row + p] & 0xff : b[row + p];
                        }
                    }
                }
                for (int mm = 0; mm < mpg; mm++) {
                    int m = grp * mpg + mm;
                    int zw = w.zeroPoints()[m];
                    int constant = -xZero * w.rowSums()[m] + k * xZero * zw;
                    int row = cOff + mm * pixels;
                    if (zw == 0 || colSums == null) {
                        for (int p = 0; p < pixels; p++) {
                            acc[row + p] += constant;
                        }
                    } else {
                        for (int p = 0; p < pixels; p++) {
                            acc[row + p] += constant - zw * colSums[p];
                        }
                    }
                }
            }
        }
    }

    /**
     * acc[cOff..] = A (rows x k int8 codes as floats, from aOff) times B (k x pixels codes at bOff)
     * on the float GEMM, exact by {@link #EXACT_FLOAT_TERMS}.
     */
    private static void exactFloatGemm(float[] a, int aOff, int rows, int k, int pixels, byte[] b, int bOff,
                                       boolean bUnsigned, int[] acc, int cOff) {
        float[] bf = new float[k * pixels];
        for (int i = 0; i < bf.length; i++) {
            bf[i] = bUnsigned ? b[bOff + i] & 0xff : b[bOff + i];
        }
        float[] c = new float[rows * pixels];
        for (int k0 = 0; k0 < k; k0 += EXACT_FLOAT_TERMS) {
            int kk = Math.min(EXACT_FLOAT_TERMS, k - k0);
            Gemm.sgemm(false, false, rows, pixels, kk, 1f, a, aOff + k0, k, bf, k0 * pixels, pixels, 0f, c, 0, pixels);
            for (int i = 0; i < c.length; i++) {
                int v = (int) c[i];
                acc[cOff + i] = k0 == 0 ? v : acc[cOff + i] + v;
            }
        }
    }

    /**
     * Column matrix [cpg * kH * kW][oH * oW] of one image's group (channels from xOff); windows
     * outside the input read pad (the zero point's code). Rows split over {@link Parallel}.
     */
    static void im2col(ConvGeometry g, byte[] x, int xOff, byte pad, byte[] col) {
        int kk = g.kernelH() * g.kernelW();
        int rows = g.inChannelsPerGroup() * kk;
        int oH = g.outH();
        int oW = g.outW();
        int inW = g.inW();
        int plane = g.inH() * inW;
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, oH * oW)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int c = r / kk;
                int kh = (r % kk) / g.kernelW();
                int kw = r % g.kernelW();
                int dst = r * oH * oW;
                int src = xOff + c * plane;
                for (int oh = 0; oh < oH; oh++, dst += oW) {
                    int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                    if (ih < 0 || ih >= g.inH()) {
                        java.util.Arrays.fill(col, dst, dst + oW, pad);
                        continue;
                    }
                    int rowSrc = src + ih * inW;
                    int iw0 = -g.padLeft() + kw * g.dilationW();
                    if (g.strideW() == 1 && iw0 >= 0 && iw0 + oW <= inW) {
                        System.arraycopy(x, rowSrc + iw0, col, dst, oW);
                        continue;
                    }
                    for (int ow = 0; ow < oW; ow++) {
                        int iw = ow * g.strideW() + iw0;
                        col[dst + ow] = iw >= 0 && iw < inW ? x[rowSrc + iw] : pad;
                    }
                }
            }
        });
    }

    /**
     * Direct depthwise kernel: per (n, c) plane, x - xZero copied into a zero-padded int plane,
     * then the window loops without bounds checks. w: [C, 1, kH, kW] with zero points removed.
     * Planes split over {@link Parallel}.
     */
    public static void depthwise(ConvGeometry g, byte[] x, boolean xUnsigned, int xZero, int[] w, int[] acc) {
        int kH = g.kernelH();
        int kW = g.kernelW();
        int pH = g.inH() + g.padTop() + g.padBottom();
        int pW = g.inW() + g.padLeft() + g.padRight();
        int oH = g.outH();
        int oW = g.outW();
        int sH = g.strideH();
        int sW = g.strideW();
        int dH = g.dilationH();
        int dW = g.dilationW();
        int channels = g.outChannels();
        int planes = g.batch() * channels;
        Parallel.forRange(planes, 1, (from, to) -> {
            int[] padded = new int[pH * pW];
            int[] row = new int[oW];
            for (int p = from; p < to; p++) {
                int c = p % channels;
                int src = p * g.inH() * g.inW();
                for (int ih = 0; ih < g.inH(); ih++) {
                    int d = (ih + g.padTop()) * pW + g.padLeft();
                    int s = src + ih * g.inW();
                    for (int iw = 0; iw < g.inW(); iw++) {
                        padded[d + iw] = (xUnsigned ? x[s + iw] & 0xff : x[s + iw]) - xZero;
                    }
                }
                int wc = c * kH * kW;
                int out = p * oH * oW;
                for (int oh = 0; oh < oH; oh++) {
                    java.util.Arrays.fill(row, 0);
                    for (int kh = 0; kh < kH; kh++) {
                        int base = (oh * sH + kh * dH) * pW;
                        for (int kw = 0; kw < kW; kw++) {
                            int wv = w[wc + kh * kW + kw];
                            int at = base + kw * dW;
                            for (int ow = 0; ow < oW; ow++) {
                                row[ow] += wv * padded[at + ow * sW];
                            }
                        }
                    }
                    System.arraycopy(row, 0, acc, out + oh * oW, oW);
                }
            }
        });
    }
}
