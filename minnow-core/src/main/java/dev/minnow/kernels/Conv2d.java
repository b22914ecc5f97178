package dev.minnow.kernels;

import java.util.function.IntConsumer;

/**
 * The convolution kernels every op calls (same contract as {@link Conv2dNaive}: x [N, C, H, W],
 * w [M, C/groups, kH, kW], y [N, M, oH, oW]). Algorithm by shape:
 * <ul>
 * <li>depthwise (one input channel per group): direct vectorized loops ({@link DepthwiseConv});</li>
 * <li>3x3, stride 1, dilation 1, one group, enough channels: Winograd F(2x2, 3x3) ({@link WinogradConv});</li>
 * <li>1x1, stride 1, no padding: the input already is the column matrix, so one GEMM per image-group;</li>
 * <li>otherwise im2col into a bounded per-thread buffer (chunks of output positions) + GEMM.</li>
 * </ul>
 * Gradients: dx = col2im(W^T * dY), dW = sum over images of dY * im2col(x)^T. Work is spread over
 * images when the batch covers the threads, otherwise each GEMM is parallel itself.
 */
public final class Conv2d {
    /** Largest im2col buffer (floats) per thread; bigger lowerings run in chunks of columns. */
    static final int COL_LIMIT = 1 << 20;

    private static final ThreadLocal<float[][]> WORKSPACE = ThreadLocal.withInitial(() -> new float[5][0]);

    private Conv2d() {
    }

    /** The forward algorithms; {@link #algorithmFor} names the one {@link #forward} picks. */
    public enum Algorithm {
        /** Direct loops of {@link Conv2dNaive} (the reference). */
        NAIVE,
        /** im2col + GEMM (1x1 stride-1 unpadded convolutions skip the lowering). */
        IM2COL_GEMM,
        /** Direct vectorized depthwise loops (one input channel per group only). */
        DEPTHWISE,
        /** Winograd F(2x2, 3x3) (3x3, stride 1, dilation 1, one group only). */
        WINOGRAD
    }

    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        forward(g, x, w, bias, y, ConvOptions.DEFAULT);
    }

    /** Forward without prepared weights, choosing among the forms options allows. */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, ConvOptions options) {
        Algorithm a = algorithmFor(g);
        if (a == Algorithm.IM2COL_GEMM && shiftedApplies(g, options) && g.batch() >= Parallel.threads() && g.outputSize() > 0) {
            ShiftedConv.forward(g, x, w, bias, y);
            return;
        }
        forward(g, x, w, bias, y, a);
    }

    /** The algorithm {@link #forward} uses for this geometry. */
    public static Algorithm algorithmFor(ConvGeometry g) {
        if (DepthwiseConv.applies(g)) {
            return Algorithm.DEPTHWISE;
        }
        return WinogradConv.applies(g) ? Algorithm.WINOGRAD : Algorithm.IM2COL_GEMM;
    }

    /**
     * Forward with a chosen algorithm (benchmarks, comparisons). DEPTHWISE and WINOGRAD need a
     * geometry they support; other geometries throw IllegalArgumentException.
     */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, Algorithm algorithm) {
        if (g.outputSize() == 0) {
            return;
        }
        switch (algorithm) {
            case NAIVE -> Conv2dNaive.forward(g, x, w, bias, y);
            case IM2COL_GEMM -> forwardIm2col(g, x, w, bias, y);
            case DEPTHWISE -> {
                require(DepthwiseConv.applies(g), algorithm, g);
                DepthwiseConv.forward(g, x, w, bias, y);
            }
            case WINOGRAD -> {
                require(WinogradConv.shapeFits(g), algorithm, g);
                WinogradConv.forward(g, x, w, bias, y);
            }
        }
    }

    private static void require(boolean ok, Algorithm algorithm, ConvGeometry g) {
        if (!ok) {
            throw new IllegalArgumentException(algorithm + " does not support " + g);
        }
    }

    public static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        backwardInput(g, dy, w, dx, ConvOptions.DEFAULT);
    }

    public static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx, ConvOptions options) {
        if (g.outputSize() == 0 || g.inputSize() == 0) {
            java.util.Arrays.fill(dx, 0, g.inputSize(), 0f);
            return;
        }
        if (DepthwiseConv.applies(g)) {
            DepthwiseConv.backwardInput(g, dy, w, dx);
            return;
        }
        if (shiftedInputApplies(g, options)) {
            ShiftedConv.backwardInput(g, dy, w, dx);
            return;
        }
        int P = g.outH() * g.outW();
        int Kg = rows(g);
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        forEachImage(g, n -> forGroups(g, n, (gi, wOff, dyOff, dxOff) -> {
            if (isPointwise(g)) {
                Gemm.sgemm(true, false, cpg, P, mpg, 1f, w, wOff, Kg, dy, dyOff, P, 0f, dx, dxOff, P);
                return;
            }
            java.util.Arrays.fill(dx, dxOff, dxOff + cpg * g.inH() * g.inW(), 0f);
            if (smallPlane(g)) {
                float[] col = workspace(0, Kg * P);
                Gemm.sgemm(true, false, Kg, P, mpg, 1f, w, wOff, Kg, dy, dyOff, P, 0f, col, 0, P);
                Im2col.col2imAddByIndexMap(g, col, dx, dxOff);
                return;
            }
            int chunk = columnChunk(Kg, P);
            float[] col = workspace(0, Kg * chunk);
            for (int p0 = 0; p0 < P; p0 += chunk) {
                int nc = Math.min(chunk, P - p0);
                Gemm.sgemm(true, false, Kg, nc, mpg, 1f, w, wOff, Kg, dy, dyOff + p0, P, 0f, col, 0, nc);
                Im2col.col2imAdd(g, col, p0, nc, dx, dxOff);
            }
        }));
    }

    public static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        backwardWeight(g, x, dy, dw, dbias, ConvOptions.DEFAULT);
    }

    public static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias,
                                      ConvOptions options) {
        if (DepthwiseConv.applies(g)) {
            DepthwiseConv.backwardWeight(g, x, dy, dw, dbias);
            return;
        }
        if (shiftedApplies(g, options) && g.outputSize() > 0) {
            ShiftedConv.backwardWeight(g, x, dy, dw);
            if (dbias != null) {
                biasGradient(g, dy, dbias);
            }
            return;
        }
        int P = g.outH() * g.outW();
        int Kg = rows(g);
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        int batch = g.batch();
        int parts = batch >= 2 ? Math.min(batch, Parallel.threads()) : 1;
        float[][] partial = new float[parts][];
        partial[0] = dw;
        java.util.Arrays.fill(dw, 0, g.weightSize(), 0f);
        for (int i = 1; i < parts; i++) {
            partial[i] = new float[g.weightSize()];
        }
        Parallel.forRange(parts, 1, (from, to) -> {
            for (int part = from; part < to; part++) {
                float[] acc = partial[part];
                for (int n = batch * part / parts; n < batch * (part + 1) / parts; n++) {
                    forGroups(g, n, (gi, wOff, dyOff, xOff) -> {
                        if (isPointwise(g)) {
                            Gemm.sgemm(false, true, mpg, cpg, P, 1f, dy, dyOff, P, x, xOff, P, 1f, acc, wOff, Kg);
                            return;
                        }
                        if (smallPlane(g)) {
                            float[] col = workspace(0, Kg * P);
                            Im2col.byIndexMap(g, x, xOff, col);
                            Gemm.sgemm(false, true, mpg, Kg, P, 1f, dy, dyOff, P, col, 0, P, 1f, acc, wOff, Kg);
                            return;
                        }
                        int chunk = columnChunk(Kg, P);
                        float[] col = workspace(0, Kg * chunk);
                        for (int p0 = 0; p0 < P; p0 += chunk) {
                            int nc = Math.min(chunk, P - p0);
                            Im2col.im2col(g, x, xOff, p0, nc, col);
                            Gemm.sgemm(false, true, mpg, Kg, nc, 1f, dy, dyOff + p0, P, col, 0, nc, 1f, acc, wOff, Kg);
                        }
                    });
                }
            }
        });
        for (int i = 1; i < parts; i++) {
            Vec.axpy(1f, partial[i], 0, dw, 0, g.weightSize());
        }
        if (dbias != null) {
            biasGradient(g, dy, dbias);
        }
    }

    /**
     * Whether training's convolutions run on shifted rows ({@link ShiftedConv}) instead of im2col:
     * stride 1, dilation 1, one group, a kernel of more than one tap, at least 4 input channels
     * (the 4 x 4 weight-gradient blocks), and wide rows at most 5/4 of the output rows (the extra
     * columns are computed and dropped). Measured with LeNet-5 (batch 64, 2 threads): its 1-channel
     * 5x5 conv and its 12-wide unpadded 5x5 conv (rows 12/8 of the output) made training 5-15%
     * slower on shifted rows (3,005-3,206 vs 3,368-3,537 img/s), so both stay on im2col.
     */
    static boolean shiftedApplies(ConvGeometry g) {
        return shiftedApplies(g, ConvOptions.DEFAULT);
    }

    static boolean shiftedApplies(ConvGeometry g, ConvOptions options) {
        int wideRow = g.inW() + g.padLeft() + g.padRight();
        return options.shiftedConv() && VectorSupport.AVAILABLE && g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.kernelH() * g.kernelW() > 1 && g.inChannels() >= 4
                && g.padTop() >= 0 && g.padLeft() >= 0 && g.padBottom() >= 0 && g.padRight() >= 0
                && wideRow * 4 <= g.outW() * 5;
    }

    /**
     * Whether the input gradient runs as the shifted-row forward convolution of dY with the flipped
     * weights ({@link ShiftedConv#backwardInput}): {@link #shiftedApplies} and every pad below the
     * kernel size, on batches that cover the threads (that form splits work by images only).
     */
    static boolean shiftedInputApplies(ConvGeometry g, ConvOptions options) {
        return shiftedApplies(g, options) && g.batch() >= Parallel.threads() && g.padTop() < g.kernelH()
                && g.padBottom() < g.kernelH() && g.padLeft() < g.kernelW() && g.padRight() < g.kernelW();
    }

    /** One group and the start offsets of its slices in the image: weights [mpg x rows], output [mpg x positions], input [cpg planes]. */
    @FunctionalInterface
    interface GroupBody {
        void run(int group, int wOff, int yOff, int xOff);
    }

    /** Runs body for every group of image n. */
    static void forGroups(ConvGeometry g, int n, GroupBody body) {
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        for (int gi = 0; gi < g.groups(); gi++) {
            body.run(gi, gi * mpg * rows(g), (n * g.outChannels() + gi * mpg) * g.outH() * g.outW(),
                    (n * g.inChannels() + gi * cpg) * g.inH() * g.inW());
        }
    }

    /** Rows of the im2col matrix (= columns of a group's weight matrix): C/groups * kH * kW. */
    static int rows(ConvGeometry g) {
        return g.inChannelsPerGroup() * g.kernelH() * g.kernelW();
    }

    /** dbias[m] = sum of dy over images and positions of channel m (overwritten). */
    static void biasGradient(ConvGeometry g, float[] dy, float[] dbias) {
        int P = g.outH() * g.outW();
        for (int m = 0; m < g.outChannels(); m++) {
            double s = 0;
            for (int n = 0; n < g.batch(); n++) {
                int o = (n * g.outChannels() + m) * P;
                for (int p = 0; p < P; p++) {
                    s += dy[o + p];
                }
            }
            dbias[m] = (float) s;
        }
    }

    static void forwardIm2col(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        forwardIm2col(g, x, w, bias, y, null, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /**
     * Weights of one convolution prepared for many forward calls (inference, weights fixed): the
     * GEMM panels of each group's weight matrix [M/groups x C/groups*kH*kW], packed once; or the
     * Winograd-transformed ones; or, for small output planes ({@link #channelLast}), W^T packed as
     * the right operand of Y^T = col^T * W^T; or, for few input channels, the blocks of
     * {@link DirectConv}. Exactly one of the four is non-null.
     * Holds a reference to w, which must not change while this is used.
     */
    public record PreparedWeights(float[] w, Gemm.PackedA[] groups, Gemm.PackedA[] winograd, Gemm.PackedB transposed,
                                  float[] direct) {
        public PreparedWeights(float[] w, Gemm.PackedA[] groups, Gemm.PackedA[] winograd) {
            this(w, groups, winograd, null, null);
        }

        /** Whether these were prepared from this weight array for this geometry's weight matrix. */
        boolean fits(ConvGeometry g, float[] weights) {
            if (w != weights) {
                return false;
            }
            if (winograd != null) {
                return WinogradConv.shapeFits(g) && winograd[0].M() == g.outChannels()
                        && winograd[0].K() == g.inChannels();
            }
            if (direct != null) {
                return DirectConv.shapeFits(g) && direct.length == DirectConv.preparedSize(g);
            }
            if (transposed != null) {
                return channelLastShape(g) && transposed.N() == g.outChannels() && transposed.K() == rows(g);
            }
            return groups.length == g.groups() && groups[0].M() == g.outChannelsPerGroup() && groups[0].K() == rows(g);
        }
    }

    /** Packs w for {@link #forward(ConvGeometry, float[], float[], float[], float[], PreparedWeights)}. */
    public static PreparedWeights prepare(ConvGeometry g, float[] w) {
        return prepare(g, w, ConvOptions.DEFAULT);
    }

    /** Packs w in the form options allow for this geometry (the choice is made here, once). */
    public static PreparedWeights prepare(ConvGeometry g, float[] w, ConvOptions options) {
        if (VectorSupport.AVAILABLE && Winograd43.applies(g)) {
            return new PreparedWeights(w, null, Winograd43.prepare(g, w));
        }
        if (WinogradConv.appliesPrepared(g)) {
            return new PreparedWeights(w, null, WinogradConv.prepare(g, w));
        }
        return prepareWithoutWinograd(g, w, options);
    }

    /** The direct, channel-last or packed-GEMM form (depthwise geometries get the packing and run their loops). */
    private static PreparedWeights prepareWithoutWinograd(ConvGeometry g, float[] w, ConvOptions options) {
        if (DirectConv.applies(g, options)) {
            return new PreparedWeights(w, null, null, null, DirectConv.prepare(g, w));
        }
        int Kg = rows(g);
        if (channelLast(g, options)) {
            return new PreparedWeights(w, null, null, Gemm.packB(true, Kg, g.outChannels(), w, 0, Kg), null);
        }
        Gemm.PackedA[] p = new Gemm.PackedA[g.groups()];
        for (int gi = 0; gi < p.length; gi++) {
            p[gi] = Gemm.pack(false, g.outChannelsPerGroup(), Kg, w, gi * g.outChannelsPerGroup() * Kg, Kg);
        }
        return new PreparedWeights(w, p, null);
    }

    /**
     * Packs w in a form whose every partial sum is a sum of the products x * w themselves (no
     * Winograd: its transforms multiply by fractions), so integer-valued operands whose partial
     * sums stay below 2^24 give the exact integer result (the integer convolutions'
     * {@code QLinearConvFloat}). Depthwise geometries run the direct depthwise loops.
     */
    public static PreparedWeights prepareExact(ConvGeometry g, float[] w) {
        return prepareWithoutWinograd(g, w, ConvOptions.DEFAULT);
    }

    /**
     * Whether prepared (inference) weights multiply channel-last, Y^T[P x M] = col^T * W^T, then
     * transpose Y^T into the NCHW output: for one group, a small plane lowered in one piece, and P
     * well off the GEMM's NR-column panels (padding more than 1/8 of the work), and a kernel of
     * more than one tap. The GEMM pads N to NR = 32 columns but M only to MR = 8 rows, so with the
     * positions as rows ResNet-18's 7x7 planes (P = 49) waste 7 of 56 rows instead of 15 of 64
     * columns, and the weights stream once as vector loads split over threads by output channels.
     * Measured (2 threads, weights in cache): 512 -> 512 at 7x7 0.79-0.96 ms vs 0.89-0.97; the
     * 14x14 planes (P = 196, 1/8 padding) and 1x1 kernels (the transpose costs as much as the
     * product) were slower this way, so they stay weights-as-rows.
     */
    static boolean channelLast(ConvGeometry g) {
        return channelLast(g, ConvOptions.DEFAULT);
    }

    static boolean channelLast(ConvGeometry g, ConvOptions options) {
        return options.channelLast() && channelLastShape(g);
    }

    /** The shape test of {@link #channelLast} (whatever the options). */
    static boolean channelLastShape(ConvGeometry g) {
        int P = g.outH() * g.outW();
        return VectorSupport.AVAILABLE && g.groups() == 1 && g.kernelH() * g.kernelW() > 1 && smallPlane(g)
                && P >= GemmVector.MR
                && GemmVector.roundUp(P, GemmVector.NR) * 8L > GemmVector.roundUp(P, GemmVector.MR) * 9L;
    }

    /**
     * Forward as {@link #forward(ConvGeometry, float[], float[], float[], float[])}, reusing
     * prepared weights when the algorithm is im2col + GEMM (prepared may be null, or from other w).
     */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, PreparedWeights prepared) {
        forward(g, x, w, bias, y, prepared, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    /**
     * As above, then y = min(max(y, lo), hi) (a fused ReLU or ReLU6): the GEMM-based algorithms
     * apply bias and clamp as they store each output, the others in one pass after.
     */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, PreparedWeights prepared,
                               float lo, float hi) {
        Algorithm a = algorithmFor(g);
        boolean fits = prepared != null && prepared.fits(g, w) && g.outputSize() > 0;
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        if (fits && prepared.winograd() != null && prepared.winograd().length == 36) {
            Winograd43.forward(g, x, prepared.winograd(), bias, y, lo, hi);
            return;
        } else if (fits && prepared.winograd() != null) {
            WinogradConv.forward(g, x, prepared.winograd(), bias, y);
        } else if (fits && prepared.direct() != null) {
            DirectConv.forward(g, x, prepared.direct(), bias, y, lo, hi);
            return;
        } else if (fits && prepared.transposed() != null) {
            forwardChannelLast(g, x, prepared.transposed(), bias, y, lo, hi);
            return;
        } else if (a == Algorithm.IM2COL_GEMM) {
            forwardIm2col(g, x, w, bias, y, fits ? prepared.groups() : null, lo, hi);
            return;
        } else {
            forward(g, x, w, bias, y, a);
        }
        if (clamp) {
            Eltwise.addClamp(y, null, y, g.outputSize(), lo, hi);
        }
    }

    /** Whether the lowering of one image should be split over threads by output positions. */
    private static boolean splitPositions(ConvGeometry g, int positions) {
        int t = Parallel.threads();
        return t > 1 && g.batch() < t && positions >= 256 * t;
    }

    private static void forwardIm2col(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y,
                                      Gemm.PackedA[] packed, float lo, float hi) {
        int P = g.outH() * g.outW();
        int Kg = rows(g);
        int cpg = g.inChannelsPerGroup();
        int mpg = g.outChannelsPerGroup();
        forEachImage(g, n -> forGroups(g, n, (gi, wOff, yOff, xOff) -> {
            Gemm.Epilogue epi = bias == null && lo == Float.NEGATIVE_INFINITY && hi == Float.POSITIVE_INFINITY
                    ? null : new Gemm.Epilogue(bias, gi * mpg, lo, hi);
            Gemm.PackedA pa = packed == null ? null : packed[gi];
            if (isPointwise(g)) {
                if (pa != null) {
                    Gemm.sgemm(pa, false, P, x, xOff, P, 0f, y, yOff, P, epi);
                } else {
                    Gemm.sgemm(false, false, mpg, P, cpg, 1f, w, wOff, Kg, x, xOff, P, 0f, y, yOff, P, epi);
                }
                return;
            }
            if (smallPlane(g)) {
                float[] col = workspace(0, Kg * P);
                Im2col.byIndexMap(g, x, xOff, col);
                if (pa != null) {
                    Gemm.sgemm(pa, false, P, col, 0, P, 0f, y, yOff, P, epi);
                } else {
                    Gemm.sgemm(false, false, mpg, P, Kg, 1f, w, wOff, Kg, col, 0, P, 0f, y, yOff, P, epi);
                }
                return;
            }
            // one image on several threads: each lowers and multiplies its own range of positions
            // (the im2col is as costly as a small GEMM and would otherwise run on one thread)
            int parts = splitPositions(g, P) ? Parallel.threads() : 1;
            Parallel.forRange(parts, 1, (from, to) -> {
                for (int part = from; part < to; part++) {
                    int begin = (int) ((long) P * part / parts);
                    int end = (int) ((long) P * (part + 1) / parts);
                    int chunk = columnChunk(Kg, end - begin);
                    float[] col = workspace(0, Kg * chunk);
                    for (int p0 = begin; p0 < end; p0 += chunk) {
                        int nc = Math.min(chunk, end - p0);
                        Im2col.im2col(g, x, xOff, p0, nc, col);
                        if (pa != null) {
                            Gemm.sgemm(pa, false, nc, col, 0, nc, 0f, y, yOff + p0, P, epi);
                        } else {
                            Gemm.sgemm(false, false, mpg, nc, Kg, 1f, w, wOff, Kg, col, 0, nc, 0f, y, yOff + p0, P, epi);
                        }
                    }
                }
            });
        }));
    }

    /** Y = (col^T * W^T)^T per image, with bias and clamp applied in the GEMM's store ({@link #channelLast}). */
    private static void forwardChannelLast(ConvGeometry g, float[] x, Gemm.PackedB wT, float[] bias, float[] y,
                                           float lo, float hi) {
        int P = g.outH() * g.outW();
        int M = g.outChannels();
        int Kg = rows(g);
        Gemm.Epilogue epi = new Gemm.Epilogue(null, 0, lo, hi, bias);
        int rowsP = GemmVector.roundUp(P, GemmVector.MR);
        forEachImage(g, n -> {
            float[] ap = workspace(0, rowsP * Kg);
            float[] yT = workspace(4, P * M);
            Im2col.packedTransposed(g, x, n * g.inChannels() * g.inH() * g.inW(), ap);
            Gemm.sgemm(new Gemm.PackedA(false, P, Kg, null, 0, 0, ap), wT, yT, 0, M, epi);
            Eltwise.transpose(yT, P, M, y, n * M * P);
        });
    }

    /** Output planes small enough for the index-map lowering ({@link Im2col#byIndexMap}) in one piece. */
    static boolean smallPlane(ConvGeometry g) {
        int P = g.outH() * g.outW();
        return P <= Im2col.SMALL_PLANE && (long) rows(g) * P <= COL_LIMIT;
    }

    static boolean isPointwise(ConvGeometry g) {
        return g.kernelH() == 1 && g.kernelW() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.padTop() == 0 && g.padLeft() == 0 && g.padBottom() == 0 && g.padRight() == 0;
    }

    /** Output positions per im2col chunk so that rows * chunk stays within {@link #COL_LIMIT}. */
    static int columnChunk(int rows, int positions) {
        return Math.min(positions, Math.max(64, COL_LIMIT / Math.max(1, rows)));
    }

    /** Runs body for every image: spread over threads when the batch covers them, else in order. */
    static void forEachImage(ConvGeometry g, IntConsumer body) {
        int batch = g.batch();
        if (batch >= Parallel.threads() && batch > 1) {
            Parallel.forRange(batch, 1, (from, to) -> {
                for (int n = from; n < to; n++) {
                    body.accept(n);
                }
            });
        } else {
            for (int n = 0; n < batch; n++) {
                body.accept(n);
            }
        }
    }

    /** The calling thread's reusable buffer number slot, at least size floats long. */
    static float[] workspace(int slot, int size) {
        float[][] ws = WORKSPACE.get();
        if (ws[slot].length < size) {
            ws[slot] = new float[size];
        }
        return ws[slot];
    }
}
