package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every convolution algorithm against the direct-loop reference {@link Conv2dNaive}. */
class Conv2dTest {

    @Test
    void randomGeometriesMatchNaive() {
        SplittableRandom rnd = new SplittableRandom(42);
        int[] sizes = {1, 2, 3, 5, 7, 11, 13, 17};
        for (int t = 0; t < 150; t++) {
            int groups = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : 1;
            int cpg = 1 + rnd.nextInt(5);
            int mpg = 1 + rnd.nextInt(6);
            int kh = 1 + rnd.nextInt(4);
            int kw = 1 + rnd.nextInt(4);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            int h = sizes[rnd.nextInt(sizes.length)] + (kh - 1) * dh;
            int w = sizes[rnd.nextInt(sizes.length)] + (kw - 1) * dw;
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), groups * cpg, h, w, groups * mpg, kh, kw,
                    1 + rnd.nextInt(3), 1 + rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3),
                    rnd.nextInt(3), dh, dw, groups);
            checkAll(rnd, g);
        }
    }

    @Test
    void shiftedWeightGradientMatchesNaive() {
        SplittableRandom rnd = new SplittableRandom(5);
        int threads = Parallel.threads();
        try {
            // {batch, C, M, H, W, kH, kW, padTop, padLeft, padBottom, padRight, threads}: channel
            // counts off the 4 x 4 blocks, asymmetric and zero pads, more images than one L2 chunk
            int[][] shapes = {
                {2, 5, 16, 9, 11, 3, 3, 1, 1, 1, 1, 1}, {3, 5, 7, 6, 10, 3, 3, 1, 1, 1, 1, 2},
                {20, 16, 16, 32, 32, 3, 3, 1, 1, 1, 1, 2}, {4, 8, 12, 8, 12, 3, 3, 0, 0, 0, 0, 1},
                {3, 6, 9, 10, 11, 5, 3, 2, 0, 1, 2, 2}, {1, 4, 4, 5, 9, 1, 3, 0, 1, 0, 1, 1},
                {5, 64, 64, 8, 8, 3, 3, 1, 1, 1, 1, 2}, {2, 9, 5, 4, 12, 3, 3, 3, 2, 1, 3, 2}};
            for (int[] s : shapes) {
                Parallel.setThreads(s[11]);
                ConvGeometry g = ConvGeometry.of(s[0], s[1], s[3], s[4], s[2], s[5], s[6], 1, 1, s[7], s[8], s[9],
                        s[10], 1, 1, 1);
                assertEquals(VectorSupport.AVAILABLE, Conv2d.shiftedApplies(g), "shifted form chosen for " + g);
                checkAll(rnd, g);
            }
        } finally {
            Parallel.setThreads(threads);
        }
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(1, 8, 8, 8, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)));
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(1, 8, 8, 8, 8, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1)));
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(1, 8, 8, 8, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1)));
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(2, 5, 9, 11, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
                new ConvOptions(false, true, true)), "ConvOptions.shiftedConv=false turns it off");
        // LeNet-5's two convs: one input channel; rows 12 wide for 8 outputs
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(64, 1, 28, 28, 20, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1)));
        assertTrue(!Conv2d.shiftedApplies(ConvGeometry.of(64, 20, 12, 12, 50, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1)));
    }

    @Test
    void pointwiseAsGemm() {
        SplittableRandom rnd = new SplittableRandom(1);
        ConvGeometry g = ConvGeometry.of(3, 19, 7, 9, 23, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        assertTrue(Conv2d.isPointwise(g));
        checkAll(rnd, g);
        checkAll(rnd, ConvGeometry.of(2, 12, 5, 5, 18, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 3));
    }

    @Test
    void depthwiseDirect() {
        SplittableRandom rnd = new SplittableRandom(2);
        int[][] cases = {
            // channels, mult, size, kernel, stride, padTop, padLeft, padBottom, padRight, dilation
            {8, 1, 13, 3, 1, 1, 1, 1, 1, 1}, {5, 1, 17, 3, 2, 1, 0, 1, 2, 1}, {6, 2, 11, 5, 1, 2, 2, 2, 2, 1},
            {3, 3, 9, 3, 1, 2, 1, 0, 2, 2}, {7, 1, 20, 3, 2, 0, 1, 1, 0, 1}, {4, 1, 1, 1, 1, 0, 0, 0, 0, 1},
        };
        for (int[] c : cases) {
            ConvGeometry g = ConvGeometry.of(2, c[0], c[2], c[2] + 1, c[0] * c[1], c[3], c[3], c[4], c[4],
                    c[5], c[6], c[7], c[8], c[9], c[9], c[0]);
            assertTrue(DepthwiseConv.applies(g), g::toString);
            checkAll(rnd, g);
        }
    }

    @Test
    void winogradForOddSizesAndPads() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[][] cases = {{16, 16, 8, 8, 1, 1, 1, 1}, {17, 19, 9, 13, 1, 0, 2, 1}, {20, 16, 7, 6, 0, 0, 0, 0},
            {16, 33, 15, 11, 2, 1, 0, 2}};
        for (int[] c : cases) {
            ConvGeometry g = ConvGeometry.of(2, c[0], c[2], c[3], c[1], 3, 3, 1, 1, c[4], c[5], c[6], c[7], 1, 1, 1);
            assertTrue(WinogradConv.shapeFits(g), g::toString);
            float[] x = GemmTest.random(rnd, g.inputSize());
            float[] w = GemmTest.random(rnd, g.weightSize());
            float[] bias = GemmTest.random(rnd, g.outChannels());
            float[] want = new float[g.outputSize()];
            float[] got = filled(g.outputSize());
            Conv2dNaive.forward(g, x, w, bias, want);
            Conv2d.forward(g, x, w, bias, got, Conv2d.Algorithm.WINOGRAD);
            assertClose(want, got, 3e-5f * (c[0] * 9 + 10), "winograd " + g);
        }
    }

    @Test
    void costRulePicksWinogradOnlyForWideLayers() {
        assertEquals(Conv2d.Algorithm.WINOGRAD,
                Conv2d.algorithmFor(ConvGeometry.of(1, 256, 28, 28, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        assertEquals(Conv2d.Algorithm.IM2COL_GEMM,
                Conv2d.algorithmFor(ConvGeometry.of(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        assertEquals(Conv2d.Algorithm.IM2COL_GEMM,
                Conv2d.algorithmFor(ConvGeometry.of(1, 256, 28, 28, 256, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1)));
        assertEquals(Conv2d.Algorithm.DEPTHWISE,
                Conv2d.algorithmFor(ConvGeometry.of(1, 32, 28, 28, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32)));
    }

    @Test
    void indexMapLoweringEqualsTheRowWalk() {
        // the two im2col implementations (small planes / the rest) must give identical columns
        SplittableRandom rnd = new SplittableRandom(8);
        for (int t = 0; t < 200; t++) {
            int kh = 1 + rnd.nextInt(4);
            int kw = 1 + rnd.nextInt(4);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            ConvGeometry g = ConvGeometry.of(1, 1 + rnd.nextInt(6), 1 + rnd.nextInt(12) + (kh - 1) * dh,
                    1 + rnd.nextInt(12) + (kw - 1) * dw, 2, kh, kw, 1 + rnd.nextInt(3), 1 + rnd.nextInt(3),
                    rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), rnd.nextInt(3), dh, dw, 1);
            int P = g.outH() * g.outW();
            if (P == 0) {
                continue;
            }
            int xOff = rnd.nextInt(3);
            float[] x = GemmTest.random(rnd, xOff + g.inputSize());
            int rows = g.inChannels() * kh * kw;
            float[] walk = filled(rows * P);
            float[] mapped = filled(rows * P);
            Im2col.im2col(g, x, xOff, 0, P, walk);
            Im2col.byIndexMap(g, x, xOff, mapped);
            assertClose(walk, mapped, 0f, g.toString());
            // and the adjoints (scatter-add back into the image)
            float[] col = GemmTest.random(rnd, rows * P);
            float[] backWalk = x.clone();
            float[] backMapped = x.clone();
            Im2col.col2imAdd(g, col, 0, P, backWalk, xOff);
            Im2col.col2imAddByIndexMap(g, col, backMapped, xOff);
            assertClose(backWalk, backMapped, 1e-6f, "col2im " + g);
        }
    }

    @Test
    void explicitAlgorithmsOnSmallShapes() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] cases = {{3, 5, 1, 1, 1}, {2, 4, 6, 5, 0}, {1, 1, 3, 3, 1}, {4, 3, 5, 8, 2}};
        for (int[] c : cases) {
            ConvGeometry g = ConvGeometry.of(2, c[0], c[2], c[3], c[1], 3, 3, 1, 1, c[4], c[4], c[4], 1, 1, 1, 1);
            float[] x = GemmTest.random(rnd, g.inputSize());
            float[] w = GemmTest.random(rnd, g.weightSize());
            float[] bias = GemmTest.random(rnd, g.outChannels());
            float[] want = new float[g.outputSize()];
            Conv2dNaive.forward(g, x, w, bias, want);
            for (Conv2d.Algorithm a : new Conv2d.Algorithm[] {Conv2d.Algorithm.WINOGRAD, Conv2d.Algorithm.IM2COL_GEMM}) {
                float[] got = filled(g.outputSize());
                Conv2d.forward(g, x, w, bias, got, a);
                assertClose(want, got, 1e-4f * (c[0] * 9 + 10), a + " " + g);
            }
        }
    }

    @Test
    void emptyBatchRunsEveryAlgorithm() {
        ConvGeometry g = ConvGeometry.of(0, 16, 6, 6, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        float[] w = new float[g.weightSize()];
        for (Conv2d.Algorithm a : new Conv2d.Algorithm[] {Conv2d.Algorithm.IM2COL_GEMM, Conv2d.Algorithm.WINOGRAD}) {
            Conv2d.forward(g, new float[0], w, null, new float[0], a);
        }
        float[] dw = filled(g.weightSize());
        Conv2d.backwardInput(g, new float[0], w, new float[0]);
        Conv2d.backwardWeight(g, new float[0], new float[0], dw, null);
        assertClose(new float[g.weightSize()], dw, 0f, "no images, no weight gradient");
    }

    @Test
    void im2colInChunksWhenTheLoweringIsLarge() {
        SplittableRandom rnd = new SplittableRandom(4);
        ConvGeometry g = ConvGeometry.of(1, 40, 46, 46, 6, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1, 2);
        assertTrue(Conv2d.columnChunk(20 * 25, 46 * 46) < 46 * 46);
        checkAll(rnd, g);
    }

    @Test
    void oneImageSplitOverThreadsByPositions() {
        // batch 1 with many output positions: each thread lowers and multiplies its own range
        SplittableRandom rnd = new SplittableRandom(6);
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            checkAll(rnd, ConvGeometry.of(1, 9, 37, 41, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1));
            checkAll(rnd, ConvGeometry.of(1, 6, 61, 29, 10, 3, 2, 1, 1, 1, 0, 2, 1, 1, 1, 2));
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void preparedWinogradMatchesNaive() {
        // pre-transformed, packed Winograd weights; one image split over threads by tile rows
        checkPreparedWinograd(new SplittableRandom(8), "prepared Winograd",
                new int[][] {{128, 128, 17, 15, 1}, {129, 130, 9, 12, 1}, {128, 131, 13, 11, 2}});
    }

    @Test
    void preparedWinogradSplitByChannelsMatchesNaive() {
        // batch below the thread count with large weights: transforms split by channels, the 16
        // GEMMs by output rows (the threshold is lowered so that small layers take this path)
        long minWeights = WinogradConv.splitChannelsMinWeights;
        WinogradConv.splitChannelsMinWeights = 0;
        try {
            checkPreparedWinograd(new SplittableRandom(9), "channel-split Winograd",
                    new int[][] {{128, 128, 17, 15, 1}, {129, 130, 9, 12, 1}, {64, 67, 9, 8, 1}, {70, 64, 5, 13, 1}});
        } finally {
            WinogradConv.splitChannelsMinWeights = minWeights;
        }
    }

    @Test
    void preparedWinograd43MatchesNaive() {
        // F(4x4, 3x3) with prepared weights: ResNet-18's layer1 shape, planes not a multiple of 4
        // (edge tiles clipped), padding 0 and 1, a batch over the threads; bias and ReLU6 fused
        int[][] shapes = {{64, 64, 56, 56, 3, 1, 1, 1}, {64, 70, 13, 21, 3, 1, 1, 1}, {100, 128, 19, 19, 3, 1, 0, 2},
            {64, 64, 18, 18, 3, 1, 1, 3}};
        checkPreparedClamped(new SplittableRandom(23), "F(4x4, 3x3)", shapes, g -> {
            assertTrue(Winograd43.applies(g), "F(4x4, 3x3) applies to " + g);
            return pw -> assertEquals(36, pw.winograd().length, "36 transformed planes for " + g);
        });
    }

    @Test
    void preparedChannelLastMatchesNaive() {
        // small output planes with prepared weights run Y^T = col^T * W^T (positions as GEMM rows):
        // ResNet-18's layer4 shapes (7x7 and the stride-2 entry), odd planes and channel counts, a
        // batch over the threads
        int[][] shapes = {{512, 512, 7, 7, 3, 1, 1, 1}, {256, 512, 14, 14, 3, 2, 1, 1}, {37, 45, 5, 9, 3, 1, 1, 1},
            {64, 70, 10, 10, 5, 1, 2, 3}, {3, 33, 9, 9, 3, 1, 0, 2}, {16, 20, 9, 10, 2, 1, 0, 1}};
        checkPreparedClamped(new SplittableRandom(21), "channel-last", shapes, g -> {
            assertTrue(Conv2d.channelLast(g), "channel-last applies to " + g);
            return pw -> assertTrue(pw.transposed() != null, "W^T is prepared for " + g);
        });
        // planes whose positions fill the GEMM's 32-wide panels, and 1x1 kernels, keep the weights-as-rows product
        assertTrue(!Conv2d.channelLast(ConvGeometry.of(1, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
        // ConvOptions.channelLast=false (what -Dminnow.noChannelLast=true was) keeps weights as rows
        ConvGeometry fits = ConvGeometry.of(1, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        ConvOptions off = new ConvOptions(true, false, true);
        assertEquals(VectorSupport.AVAILABLE, Conv2d.prepare(fits, new float[fits.weightSize()]).transposed() != null);
        assertTrue(!Conv2d.channelLast(fits, off), "the option turns it off");
        assertTrue(Conv2d.prepare(fits, new float[fits.weightSize()], off).transposed() == null);
        assertTrue(!Conv2d.channelLast(ConvGeometry.of(1, 256, 14, 14, 512, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1)));
    }

    @Test
    void directConvMatchesNaive() {
        if (!VectorSupport.AVAILABLE) {
            return;
        }
        // the stem kernel on random geometries: kernels, strides (1-4), dilations and pads per axis,
        // channel counts off the 8-channel blocks, rows off the 2V-position blocks, 1-2 threads
        SplittableRandom rnd = new SplittableRandom(33);
        int threads = Parallel.threads();
        try {
            for (int t = 0; t < 120; t++) {
                Parallel.setThreads(1 + t % 2);
                int kh = 1 + rnd.nextInt(7);
                int kw = 1 + rnd.nextInt(7);
                int dh = 1 + rnd.nextInt(2);
                int dw = 1 + rnd.nextInt(2);
                ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(2), 1 + rnd.nextInt(5),
                        (kh - 1) * dh + 1 + rnd.nextInt(40), (kw - 1) * dw + 1 + rnd.nextInt(70), 1 + rnd.nextInt(20),
                        kh, kw, 1 + rnd.nextInt(3), 1 + rnd.nextInt(4), rnd.nextInt(kh), rnd.nextInt(kw), rnd.nextInt(kh),
                        rnd.nextInt(kw), dh, dw, 1);
                float[] w = GemmTest.random(rnd, g.weightSize());
                float[] x = GemmTest.random(rnd, g.inputSize());
                float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, g.outChannels()) : null;
                float[] want = new float[g.outputSize()];
                Conv2dNaive.forward(g, x, w, bias, want);
                float lo = rnd.nextBoolean() ? 0f : Float.NEGATIVE_INFINITY;
                for (int i = 0; i < want.length; i++) {
                    want[i] = Math.max(want[i], lo);
                }
                float[] got = filled(g.outputSize());
                DirectConv.forward(g, x, DirectConv.prepare(g, w), bias, got, lo, Float.POSITIVE_INFINITY);
                assertClose(want, got, 3e-5f * (DirectConv.taps(g) + 10), "direct " + g);
            }
        } finally {
            Parallel.setThreads(threads);
        }
        // prepared weights take it for stems: ResNet's 7x7/2 on 3 channels, MobileNet's 3x3/2 to 32 channels, 3x3/1 on 4
        int[][] shapes = {{3, 64, 224, 224, 7, 2, 3, 1}, {3, 32, 64, 70, 3, 2, 1, 2}, {4, 13, 40, 37, 3, 1, 1, 1}};
        checkPreparedClamped(new SplittableRandom(34), "direct", shapes, g -> {
            assertTrue(DirectConv.applies(g), "the direct kernel applies to " + g);
            assertTrue(!DirectConv.applies(g, new ConvOptions(true, true, false)), "directConv=false turns it off");
            return pw -> assertTrue(pw.direct() != null, "direct blocks are prepared for " + g);
        });
        assertTrue(!DirectConv.applies(ConvGeometry.of(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
                "576 taps are the GEMM's");
    }

    /**
     * Shapes {C, M, H, W, kernel, stride, pad, batch} with prepared weights, bias and a fused
     * ReLU6, on 2 threads, vs the naive loops; check(g) asserts the geometry's algorithm and
     * returns the check of its prepared weights.
     */
    private static void checkPreparedClamped(SplittableRandom rnd, String what, int[][] shapes,
                                             java.util.function.Function<ConvGeometry,
                                                     java.util.function.Consumer<Conv2d.PreparedWeights>> check) {
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            for (int[] s : shapes) {
                ConvGeometry g = ConvGeometry.of(s[7], s[0], s[2], s[3], s[1], s[4], s[4], s[5], s[5], s[6], s[6], s[6],
                        s[6], 1, 1, 1);
                java.util.function.Consumer<Conv2d.PreparedWeights> preparedCheck = check.apply(g);
                Conv2d.PreparedWeights pw = Conv2d.prepare(g, GemmTest.random(rnd, g.weightSize()));
                preparedCheck.accept(pw);
                float[] x = GemmTest.random(rnd, g.inputSize());
                float[] bias = GemmTest.random(rnd, g.outChannels());
                float[] want = new float[g.outputSize()];
                Conv2dNaive.forward(g, x, pw.w(), bias, want);
                for (int i = 0; i < want.length; i++) {
                    want[i] = Math.min(Math.max(want[i], 0f), 6f);
                }
                float[] got = filled(g.outputSize());
                Conv2d.forward(g, x, pw.w(), bias, got, pw, 0f, 6f);
                assertClose(want, got, 3e-5f * (g.inChannels() * g.kernelH() * g.kernelW() + 10), what + " " + g);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /** Shapes {C, M, H, W, batch} of 3x3 pad-1 convs with prepared Winograd weights on 2 threads vs the naive loops. */
    private static void checkPreparedWinograd(SplittableRandom rnd, String what, int[][] shapes) {
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            for (int[] s : shapes) {
                ConvGeometry g = ConvGeometry.of(s[4], s[0], s[2], s[3], s[1], 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
                Conv2d.PreparedWeights pw = Conv2d.prepare(g, GemmTest.random(rnd, g.weightSize()));
                assertTrue(pw.winograd() != null, "Winograd is prepared for " + g);
                float[] x = GemmTest.random(rnd, g.inputSize());
                float[] bias = GemmTest.random(rnd, g.outChannels());
                float[] want = new float[g.outputSize()];
                float[] got = filled(g.outputSize());
                Conv2dNaive.forward(g, x, pw.w(), bias, want);
                Conv2d.forward(g, x, pw.w(), bias, got, pw);
                assertClose(want, got, 3e-5f * (g.inChannels() * 9 + 10), what + " " + g);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    static void checkAll(SplittableRandom rnd, ConvGeometry g) {
        float[] x = GemmTest.random(rnd, g.inputSize());
        float[] w = GemmTest.random(rnd, g.weightSize());
        float[] bias = rnd.nextBoolean() ? GemmTest.random(rnd, g.outChannels()) : null;
        float[] dy = GemmTest.random(rnd, g.outputSize());
        float tol = 3e-5f * (g.inChannelsPerGroup() * g.kernelH() * g.kernelW() + 10);

        float[] want = new float[g.outputSize()];
        float[] got = filled(g.outputSize());
        Conv2dNaive.forward(g, x, w, bias, want);
        Conv2d.forward(g, x, w, bias, got);
        assertClose(want, got, tol, "forward " + g);
        float[] gotPrepared = filled(g.outputSize());
        Conv2d.forward(g, x, w, bias, gotPrepared, Conv2d.prepare(g, w));
        assertClose(want, gotPrepared, tol, "forward with prepared weights " + g);

        float[] dxWant = new float[g.inputSize()];
        float[] dxGot = filled(g.inputSize());
        Conv2dNaive.backwardInput(g, dy, w, dxWant);
        Conv2d.backwardInput(g, dy, w, dxGot);
        assertClose(dxWant, dxGot, 3e-5f * (g.outChannelsPerGroup() * g.kernelH() * g.kernelW() + 10),
                "backwardInput " + g);

        float[] dwWant = new float[g.weightSize()];
        float[] dwGot = filled(g.weightSize());
        float[] dbWant = bias == null ? null : new float[g.outChannels()];
        float[] dbGot = bias == null ? null : filled(g.outChannels());
        Conv2dNaive.backwardWeight(g, x, dy, dwWant, dbWant);
        Conv2d.backwardWeight(g, x, dy, dwGot, dbGot);
        float tolW = 3e-5f * (g.batch() * g.outH() * g.outW() + 10);
        assertClose(dwWant, dwGot, tolW, "backwardWeight " + g);
        if (bias != null) {
            assertClose(dbWant, dbGot, tolW, "backwardBias " + g);
        }
    }

    /** Garbage-filled output buffers: kernels must overwrite, not accumulate into, their outputs. */
    static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 7.5f);
        return a;
    }

    static void assertClose(float[] want, float[] got, float tol, String what) {
        for (int i = 0; i < want.length; i++) {
            int at = i;
            assertEquals(want[i], got[i], tol, () -> what + " at " + at);
        }
    }
}
