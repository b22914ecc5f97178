package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution for layers with few input channels, such as a network's stem (ResNet's 7x7
 * stride-2 convolution on 3 channels: 147 taps, 12544 positions). im2col + GEMM spends as long
 * writing and re-packing the 147-row column matrix as multiplying it; here the input is read in
 * place, once per register block.
 * <p>
 * The input of one image is first copied, zero-padded, into "phase planes": for stride s along
 * W, plane ph holds columns ph, ph + s, ph + 2s, ... of the padded input, so the columns that
 * 2V consecutive outputs read for one tap are contiguous and load as two vectors. The register
 * block is 2V positions of one output row x 8 output channels (16 accumulators, as in the GEMM
 * micro-kernel): per tap two vector loads of input, eight broadcasts of prepared weights
 * ([channel block][tap][8]) and sixteen FMAs. Outputs are stored NCHW with bias and clamp;
 * positions past the row's end are computed into the padding and not stored. Rows are spread
 * over threads. Only reached when {@link VectorSupport#AVAILABLE}.
 */
final class DirectConv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Output positions (along a row) per register block. */
    private static final int NP = 2 * V;
    /** Output channels per register block. */
    private static final int MB = 8;
    /** Most taps (C * kH * kW) this kernel takes; above it the GEMM's reuse of the input wins. */
    static final int MAX_TAPS = 256;

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MB * NP]);

    private DirectConv() {
    }

    /**
     * Whether the prepared (inference) forward takes this kernel: one group, at most
     * {@link #MAX_TAPS} taps of a kernel larger than 1x1, output rows of at least a vector on
     * planes of at least 1024 positions (below that the lowering is cheap), and a stride along W
     * of at most 4 (the strides the tests cover).
     */
    static boolean applies(ConvGeometry g) {
        return applies(g, ConvOptions.DEFAULT);
    }

    /** {@link #applies(ConvGeometry)} unless options turn this kernel off (comparisons with im2col + GEMM). */
    static boolean applies(ConvGeometry g, ConvOptions options) {
        return options.directConv() && shapeFits(g);
    }

    /** The shape test of {@link #applies(ConvGeometry)}, whatever the options. */
    static boolean shapeFits(ConvGeometry g) {
        return VectorSupport.AVAILABLE && g.groups() == 1
                && g.kernelH() * g.kernelW() > 1 && taps(g) <= MAX_TAPS
                && g.outW() >= V && (long) g.outH() * g.outW() >= 1024 && g.strideW() <= 4;
    }

    static int taps(ConvGeometry g) {
        return g.inChannels() * g.kernelH() * g.kernelW();
    }

    /** Length of {@link #prepare}'s array. */
    static int preparedSize(ConvGeometry g) {
        return (g.outChannels() + MB - 1) / MB * taps(g) * MB;
    }

    /** w [M][C][kH][kW] as [ceil(M/8)][taps][8], channels past M zero. */
    static float[] prepare(ConvGeometry g, float[] w) {
        int m = g.outChannels();
        int k = taps(g);
        float[] p = new float[preparedSize(g)];
        for (int o = 0; o < m; o++) {
            for (int t = 0; t < k; t++) {
                p[(o / MB * k + t) * MB + o % MB] = w[o * k + t];
            }
        }
        return p;
    }

    /** Columns of each phase plane: the padded row a block of NP outputs may read past the last output. */
    private static int planeWidth(ConvGeometry g) {
        return GemmVector.roundUp(g.outW(), NP) + (g.kernelW() - 1) * g.dilationW() / g.strideW() + 1;
    }

    private static int planeHeight(ConvGeometry g) {
        return (g.outH() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() + 1;
    }

    /** y = min(max(conv(x, w) + bias, lo), hi), w prepared by {@link #prepare}; bias nullable. */
    static void forward(ConvGeometry g, float[] x, float[] packed, float[] bias, float[] y, float lo, float hi) {
        int c = g.inChannels();
        int s = g.strideW();
        int wq = planeWidth(g);
        int plane = planeHeight(g) * wq;
        int k = taps(g);
        int[] off = new int[k];
        for (int ci = 0, t = 0; ci < c; ci++) {
            for (int ky = 0; ky < g.kernelH(); ky++) {
                for (int kx = 0; kx < g.kernelW(); kx++, t++) {
                    int col = kx * g.dilationW();
                    off[t] = (col % s * c + ci) * plane + ky * g.dilationH() * wq + col / s;
                }
            }
        }
        float[] xq = Conv2d.workspace(1, s * c * plane);
        int blocks = (g.outChannels() + MB - 1) / MB;
        for (int n = 0; n < g.batch(); n++) {
            int xOff = n * c * g.inH() * g.inW();
            int yOff = n * g.outChannels() * g.outH() * g.outW();
            Parallel.forRange(c * planeHeight(g), 64, (from, to) -> split(g, x, xOff, xq, wq, from, to));
            Parallel.forRange(g.outH(), 1, (from, to) -> {
                float[] tile = TILE.get();
                for (int oy = from; oy < to; oy++) {
                    int rowBase = oy * g.strideH() * wq;
                    for (int b = 0; b < blocks; b++) {
                        for (int ox = 0; ox < g.outW(); ox += NP) {
                            block(k, xq, rowBase + ox, off, packed, b * k * MB, tile);
                            store(g, tile, y, yOff, b * MB, oy, ox, bias, lo, hi);
                        }
                    }
                }
            });
        }
    }

    /** Writes rows [from, to) of the phase planes (row index = channel * planeHeight + padded row). */
    private static void split(ConvGeometry g, float[] x, int xOff, float[] xq, int wq, int from, int to) {
        int s = g.strideW();
        int hp = planeHeight(g);
        int c = g.inChannels();
        int plane = hp * wq;
        for (int r = from; r < to; r++) {
            int ci = r / hp;
            int iy = r % hp - g.padTop();
            for (int ph = 0; ph < s; ph++) {
                int dst = (ph * c + ci) * plane + r % hp * wq;
                if (iy < 0 || iy >= g.inH()) {
                    java.util.Arrays.fill(xq, dst, dst + wq, 0f);
                    continue;
                }
                // column j of this phase is input column j * s + ph - padLeft
                int first = Math.max(0, Math.ceilDiv(g.padLeft() - ph, s));
                int end = Math.min(wq, Math.max(first, Math.ceilDiv(g.inW() + g.padLeft() - ph, s)));
                java.util.Arrays.fill(xq, dst, dst + first, 0f);
                java.util.Arrays.fill(xq, dst + end, dst + wq, 0f);
                if (end > first && s == 1) {
                    System.arraycopy(x, xOff + (ci * g.inH() + iy) * g.inW() + first - g.padLeft(), xq, dst + first,
                            end - first);
                } else if (end > first) {
                    Eltwise.copyStrided(x, xOff + (ci * g.inH() + iy) * g.inW() + first * s + ph - g.padLeft(), s,
                            xq, dst + first, end - first);
                }
            }
        }
    }

    /** tile[r * NP + j] = sum over taps t of w[t][r] * xq[base + off[t] + j] for r < 8, j < NP. */
    private static void block(int k, float[] xq, int base, int[] off, float[] w, int wBase, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a = wBase;
        for (int t = 0; t < k; t++, a += MB) {
            int o = base + off[t];
            FloatVector x0 = FloatVector.fromArray(S, xq, o);
            FloatVector x1 = FloatVector.fromArray(S, xq, o + V);
            FloatVector w0 = FloatVector.broadcast(S, w[a]);
            c00 = w0.fma(x0, c00); c01 = w0.fma(x1, c01);
            FloatVector w1 = FloatVector.broadcast(S, w[a + 1]);
            c10 = w1.fma(x0, c10); c11 = w1.fma(x1, c11);
            FloatVector w2 = FloatVector.broadcast(S, w[a + 2]);
            c20 = w2.fma(x0, c20); c21 = w2.fma(x1, c21);
            FloatVector w3 = FloatVector.broadcast(S, w[a + 3]);
            c30 = w3.fma(x0, c30); c31 = w3.fma(x1, c31);
            FloatVector w4 = FloatVector.broadcast(S, w[a + 4]);
            c40 = w4.fma(x0, c40); c41 = w4.fma(x1, c41);
            FloatVector w5 = FloatVector.broadcast(S, w[a + 5]);
            c50 = w5.fma(x0, c50); c51 = w5.fma(x1, c51);
            FloatVector w6 = FloatVector.broadcast(S, w[a + 6]);
            c60 = w6.fma(x0, c60); c61 = w6.fma(x1, c61);
            FloatVector w7 = FloatVector.broadcast(S, w[a + 7]);
            c70 = w7.fma(x0, c70); c71 = w7.fma(x1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, V);
        c10.intoArray(tile, NP);
        c11.intoArray(tile, NP + V);
        c20.intoArray(tile, 2 * NP);
        c21.intoArray(tile, 2 * NP + V);
        c30.intoArray(tile, 3 * NP);
        c31.intoArray(tile, 3 * NP + V);
        c40.intoArray(tile, 4 * NP);
        c41.intoArray(tile, 4 * NP + V);
        c50.intoArray(tile, 5 * NP);
        c51.intoArray(tile, 5 * NP + V);
        c60.intoArray(tile, 6 * NP);
        c61.intoArray(tile, 6 * NP + V);
        c70.intoArray(tile, 7 * NP);
        c71.intoArray(tile, 7 * NP + V);
    }

    /** Stores the tile's channels [m0, m0 + 8) at row oy, columns [ox, ox + NP) (those inside the output). */
    private static void store(ConvGeometry g, float[] tile, float[] y, int yOff, int m0, int oy, int ox,
                              float[] bias, float lo, float hi) {
        int outW = g.outW();
        int p = g.outH() * outW;
        int valid = Math.min(NP, outW - ox);
        VectorMask<Float> m0mask = S.indexInRange(0, valid);
        VectorMask<Float> m1mask = S.indexInRange(V, valid);
        int rows = Math.min(MB, g.outChannels() - m0);
        for (int r = 0; r < rows; r++) {
            float b = bias == null ? 0f : bias[m0 + r];
            int o = yOff + (m0 + r) * p + oy * outW + ox;
            FloatVector v0 = FloatVector.fromArray(S, tile, r * NP).add(b).max(lo).min(hi);
            FloatVector v1 = FloatVector.fromArray(S, tile, r * NP + V).add(b).max(lo).min(hi);
            if (valid == NP) {
                v0.intoArray(y, o);
                v1.intoArray(y, o + V);
            } else {
                v0.intoArray(y, o, m0mask);
                v1.intoArray(y, o + V, m1mask);
            }
        }
    }
}
