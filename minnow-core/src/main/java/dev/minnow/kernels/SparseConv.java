package dev.minnow.kernels;

/**
 * 2-D convolution with sparse filters: each group's filters are the rows of a {@link CsrMatrix}
 * over (channel, kh, kw), prepared once.
 * <ul>
 * <li>Stride 1 (any dilation, padding, groups): direct. The padded input planes of one image are
 * copied once (row length Wp = W + padLeft + padRight); tap (c, kh, kw) of "wide" output position
 * q = oh * Wp + ow is then padded element q + c * Hp * Wp + kh * dH * Wp + kw * dW, a constant shift
 * per stored weight. So each filter row is {@link SparseGemm}'s row kernel with X = the padded
 * planes and the shifts as column offsets: no im2col matrix (9x the input for 3x3) is written,
 * and the zero weights cost nothing. The Wp - outW wide columns after each output row are
 * computed and dropped while the row is copied out with bias and clamp.</li>
 * <li>Other strides: im2col columns in chunks of output positions times the CSR filters.</li>
 * </ul>
 * The oracle is {@link Conv2dNaive} on the dense filters.
 */
public final class SparseConv {
    private SparseConv() {
    }

    /** Largest im2col chunk (floats) of the strided path, as in Conv2d. */
    private static final int MAX_COL = 1 << 18;

    /**
     * Filters prepared for one geometry (the batch may differ).
     *
     * @param geometry the geometry prepared for; see {@link #fits}
     * @param groups   per group, its [M/groups x (C/groups) * kH * kW] filters
     * @param shifts   per group, the direct path's input offset of each stored weight (null when strided)
     */
    public record Prepared(ConvGeometry geometry, CsrMatrix[] groups, int[][] shifts) {
        /** Whether these filters serve g (everything but the batch equal). */
        public boolean fits(ConvGeometry g) {
            ConvGeometry p = geometry;
            return new ConvGeometry(g.batch(), p.inChannels(), p.inH(), p.inW(), p.outChannels(), p.outH(), p.outW(),
                    p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padTop(), p.padLeft(), p.padBottom(),
                    p.padRight(), p.dilationH(), p.dilationW(), p.groups()).equals(g);
        }

        /** Fraction of zero filter weights over all groups. */
        public double sparsity() {
            long nnz = 0;
            long size = 0;
            for (CsrMatrix m : groups) {
                nnz += m.nnz();
                size += (long) m.rows() * m.cols();
            }
            return size == 0 ? 1 : 1 - (double) nnz / size;
        }
    }

    /** Whether g runs the direct path (stride 1 both ways). */
    public static boolean direct(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1;
    }

    /** The filters w [M, C/groups, kH, kW] of g in CSR form, with the direct path's shifts when it applies. */
    public static Prepared prepare(ConvGeometry g, float[] w) {
        int groups = g.groups();
        int mg = g.outChannelsPerGroup();
        int k = g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
        CsrMatrix[] m = new CsrMatrix[groups];
        int[][] shifts = direct(g) ? new int[groups][] : null;
        int wp = g.inW() + g.padLeft() + g.padRight();
        int plane = (g.inH() + g.padTop() + g.padBottom()) * wp;
        int taps = g.kernelH() * g.kernelW();
        for (int gi = 0; gi < groups; gi++) {
            m[gi] = CsrMatrix.of(w, gi * mg * k, mg, k, 1f);
            if (shifts != null) {
                int[] col = m[gi].colIndex();
                int[] s = new int[col.length];
                for (int j = 0; j < col.length; j++) {
                    int c = col[j] / taps;
                    int kh = col[j] % taps / g.kernelW();
                    int kw = col[j] % g.kernelW();
                    s[j] = c * plane + kh * g.dilationH() * wp + kw * g.dilationW();
                }
                shifts[gi] = s;
            }
        }
        return new Prepared(g, m, shifts);
    }

    /** y = clamp(conv(x, w) + bias, lo, hi) with w as prepared; bias may be null, lo/hi infinite. */
    public static void forward(ConvGeometry g, float[] x, Prepared p, float[] bias, float lo, float hi, float[] y) {
        if (!p.fits(g)) {
            throw new IllegalArgumentException("sparse filters prepared for " + p.geometry() + " used with " + g);
        }
        float[][] groupBias = new float[g.groups()][];
        int mg = g.outChannelsPerGroup();
        for (int gi = 0; gi < g.groups() && bias != null; gi++) {
            groupBias[gi] = java.util.Arrays.copyOfRange(bias, gi * mg, (gi + 1) * mg);
        }
        boolean byImage = g.batch() >= Parallel.threads() && g.batch() > 1;
        if (byImage) {
            // whole images per thread: the kernels' own forRange calls then run inline
            Parallel.forRange(g.batch(), 1, (from, to) -> {
                Scratch s = new Scratch();
                for (int n = from; n < to; n++) {
                    image(g, x, n, p, groupBias, lo, hi, y, s);
                }
            });
        } else {
            Scratch s = new Scratch();
            for (int n = 0; n < g.batch(); n++) {
                image(g, x, n, p, groupBias, lo, hi, y, s);
            }
        }
    }

    /** Per-thread buffers reused across the images of one call. */
    private static final class Scratch {
        float[] padded;
        float[] col;
    }

    private static void image(ConvGeometry g, float[] x, int n, Prepared p, float[][] bias, float lo, float hi,
                              float[] y, Scratch s) {
        int cg = g.inChannelsPerGroup();
        int mg = g.outChannelsPerGroup();
        int inPlane = g.inH() * g.inW();
        int outP = g.outH() * g.outW();
        for (int gi = 0; gi < g.groups(); gi++) {
            int xOff = (n * g.inChannels() + gi * cg) * inPlane;
            int yOff = (n * g.outChannels() + gi * mg) * outP;
            if (p.shifts() != null) {
                directGroup(g, x, xOff, p.groups()[gi], p.shifts()[gi], bias[gi], lo, hi, y, yOff, s);
            } else {
                loweredGroup(g, x, xOff, p.groups()[gi], bias[gi], lo, hi, y, yOff, s);
            }
        }
    }

    private static void directGroup(ConvGeometry g, float[] x, int xOff, CsrMatrix w, int[] shifts, float[] bias,
                                    float lo, float hi, float[] y, int yOff, Scratch s) {
        int wp = g.inW() + g.padLeft() + g.padRight();
        int hp = g.inH() + g.padTop() + g.padBottom();
        int cg = g.inChannelsPerGroup();
        int size = cg * hp * wp;
        if (s.padded == null || s.padded.length != size) {
            s.padded = new float[size]; // borders stay zero: only the interior is written below
        }
        float[] xp = s.padded;
        for (int c = 0; c < cg; c++) {
            for (int h = 0; h < g.inH(); h++) {
                System.arraycopy(x, xOff + (c * g.inH() + h) * g.inW(), xp, (c * hp + h + g.padTop()) * wp + g.padLeft(), g.inW());
            }
        }
        int outW = g.outW();
        int outP = g.outH() * outW;
        // wide positions up to the last valid one: reads stop inside the padded planes
        int len = (g.outH() - 1) * wp + outW;
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        int perRow = Math.max(1, (int) ((long) w.nnz() * len / Math.max(1, w.rows())));
        Parallel.forRange(w.rows(), Math.max(1, 16_384 / perRow), (from, to) -> {
            float[] wide = new float[len];
            for (int r = from; r < to; r++) {
                SparseGemm.rows(w, r, r + 1, shifts, 1, xp, 0, len, null, Float.NEGATIVE_INFINITY,
                        Float.POSITIVE_INFINITY, wide, -r * len, len);
                float b = bias != null ? bias[r] : 0f;
                int yr = yOff + r * outP;
                for (int oh = 0; oh < g.outH(); oh++) {
                    int src = oh * wp;
                    int dst = yr + oh * outW;
                    if (clamp) {
                        for (int ow = 0; ow < outW; ow++) {
                            y[dst + ow] = Math.min(Math.max(wide[src + ow] + b, lo), hi);
                        }
                    } else {
                        for (int ow = 0; ow < outW; ow++) {
                            y[dst + ow] = wide[src + ow] + b;
                        }
                    }
                }
            }
        });
    }

    private static void loweredGroup(ConvGeometry g, float[] x, int xOff, CsrMatrix w, float[] bias,
                                     float lo, float hi, float[] y, int yOff, Scratch s) {
        int outP = g.outH() * g.outW();
        int k = w.cols();
        int nc = Math.max(1, Math.min(outP, MAX_COL / Math.max(1, k)));
        if (s.col == null || s.col.length < k * nc) {
            s.col = new float[k * nc];
        }
        for (int p0 = 0; p0 < outP; p0 += nc) {
            int len = Math.min(nc, outP - p0);
            Im2col.im2col(g, x, xOff, p0, len, s.col);
            SparseGemm.multiply(w, s.col, 0, len, len, bias, lo, hi, y, yOff + p0, outP);
        }
    }
}
