package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The channel-last convolutions against {@link Conv2dNaive}, with the layouts transposed here. */
class NhwcConvTest {
    private static final int[] SIZES = {1, 2, 3, 5, 7, 11, 13};

    @Test
    void depthwiseMatchesNaiveOnRandomGeometries() {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] channels = {1, 3, 15, 16, 17, 33, 37, 64};
        for (int t = 0; t < 120; t++) {
            int c = channels[rnd.nextInt(channels.length)];
            int kh = 1 + rnd.nextInt(5);
            int kw = 1 + rnd.nextInt(5);
            int dh = 1 + rnd.nextInt(2);
            int dw = 1 + rnd.nextInt(2);
            int ph = rnd.nextInt(3);
            int pw = rnd.nextInt(3);
            // at least one output position: (size + pads) >= dilated kernel
            int h = Math.max(SIZES[rnd.nextInt(SIZES.length)], (kh - 1) * dh + 1 - 2 * ph);
            int w = Math.max(SIZES[rnd.nextInt(SIZES.length)], (kw - 1) * dw + 1 - 2 * pw);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), c, h, w, c, kh, kw, 1 + rnd.nextInt(3),
                    1 + rnd.nextInt(3), ph, pw, ph, pw, dh, dw, c);
            assertTrue(NhwcConv.depthwiseFits(g), g::toString);
            assertTrue(g.outH() > 0 && g.outW() > 0, g::toString);
            float err = check(rnd, g, true, true, rnd.nextBoolean(), rnd.nextBoolean());
            assertTrue(err < 1e-4f, "depthwise " + g + " off by " + err);
        }
    }

    @Test
    void depthwiseMobileNetShapes() {
        SplittableRandom rnd = new SplittableRandom(12);
        int[][] cases = {{144, 56, 1}, {144, 56, 2}, {576, 14, 1}, {960, 7, 1}, {96, 112, 2}};
        for (int[] c : cases) {
            ConvGeometry g = ConvGeometry.of(1, c[0], c[1], c[1], c[0], 3, 3, c[2], c[2], 1, 1, 1, 1, 1, 1, c[0]);
            float err = check(rnd, g, true, true, true, true);
            assertTrue(err < 1e-4f, "depthwise " + g + " off by " + err);
        }
    }

    @Test
    void pointwiseInEveryLayoutPair() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int t = 0; t < 60; t++) {
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), 1 + rnd.nextInt(70), SIZES[rnd.nextInt(SIZES.length)],
                    SIZES[rnd.nextInt(SIZES.length)], 1 + rnd.nextInt(90), 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
            assertTrue(NhwcConv.pointwiseFits(g), g::toString);
            boolean in = rnd.nextBoolean();
            boolean out = !in || rnd.nextBoolean();
            float err = check(rnd, g, in, out, rnd.nextBoolean(), rnd.nextBoolean());
            assertTrue(err < 1e-4f * (1 + g.inChannels()), "pointwise in=" + in + " out=" + out + " " + g + " off by " + err);
        }
    }

    @Test
    void loweredConvWritesNhwc() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int t = 0; t < 40; t++) {
            int k = 1 + rnd.nextInt(4);
            int s = k == 3 ? 2 + rnd.nextInt(2) : 1 + rnd.nextInt(3);
            int pad = rnd.nextInt(2);
            int h = Math.max(SIZES[rnd.nextInt(SIZES.length)], k);
            int w = Math.max(SIZES[rnd.nextInt(SIZES.length)], k);
            ConvGeometry g = ConvGeometry.of(1 + rnd.nextInt(3), 1 + rnd.nextInt(9), h, w, 1 + rnd.nextInt(40), k, k,
                    s, s, pad, pad, pad, pad, 1, 1, 1);
            if (!NhwcConv.loweredFits(g)) {
                assertTrue(NhwcConv.pointwiseFits(g), g::toString); // 1x1 stride 1 unpadded
                continue;
            }
            float err = check(rnd, g, false, true, rnd.nextBoolean(), rnd.nextBoolean());
            assertTrue(err < 1e-4f * (1 + g.inChannels() * k * k), "lowered " + g + " off by " + err);
        }
        // MobileNetV2's stem, one image split over threads by positions
        float err = check(rnd, ConvGeometry.of(1, 3, 224, 224, 32, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 1), false, true, true, true);
        assertTrue(err < 1e-4f * 28, "stem off by " + err);
        assertFalse(NhwcConv.loweredFits(ConvGeometry.of(1, 8, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1)),
                "3x3 stride 1 stays on its NCHW kernel");
    }

    @Test
    void otherGeometriesAreRefused() {
        ConvGeometry strided = ConvGeometry.of(1, 4, 8, 8, 4, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1);
        ConvGeometry multiplier2 = ConvGeometry.of(1, 4, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4);
        assertFalse(NhwcConv.pointwiseFits(strided));
        assertFalse(NhwcConv.depthwiseFits(multiplier2));
        float[] w = new float[strided.weightSize()];
        assertThrows(IllegalArgumentException.class, () -> NhwcConv.prepare(strided, w, true, false));
    }

    /**
     * Runs g with the given layouts and compares with Conv2dNaive (NCHW) on the same data, the
     * reference output clamped to [-0.5, 0.5] when clamp; returns the largest difference.
     */
    static float check(SplittableRandom rnd, ConvGeometry g, boolean nhwcIn, boolean nhwcOut, boolean withBias,
                       boolean clamp) {
        float[] x = GemmTest.random(rnd, g.inputSize());
        float[] w = GemmTest.random(rnd, g.weightSize());
        float[] bias = withBias ? GemmTest.random(rnd, g.outChannels()) : null;
        float[] want = new float[g.outputSize()];
        Conv2dNaive.forward(g, x, w, bias, want);
        if (clamp) {
            for (int i = 0; i < want.length; i++) {
                want[i] = Math.min(Math.max(want[i], -0.5f), 0.5f);
            }
        }
        float[] got = new float[g.outputSize()];
        java.util.Arrays.fill(got, Float.NaN); // every element must be written
        NhwcConv.Prepared p = NhwcConv.prepare(g, w, nhwcIn, nhwcOut);
        float[] in = nhwcIn ? transpose(x, g.batch(), g.inChannels(), g.inH() * g.inW()) : x;
        NhwcConv.forward(g, in, nhwcIn, p, bias, clamp, -0.5f, 0.5f, got, nhwcOut);
        float[] out = nhwcOut ? transpose(got, g.batch(), g.outH() * g.outW(), g.outChannels()) : got;
        assertEquals(want.length, out.length);
        float worst = 0;
        for (int i = 0; i < want.length; i++) {
            float d = Math.abs(want[i] - out[i]);
            worst = Float.isNaN(d) ? Float.POSITIVE_INFINITY : Math.max(worst, d);
        }
        return worst;
    }

    /** [N][rows][cols] -> [N][cols][rows]: NCHW to NHWC with (C, P), NHWC to NCHW with (P, C). */
    static float[] transpose(float[] a, int n, int rows, int cols) {
        float[] r = new float[a.length];
        for (int i = 0; i < n; i++) {
            for (int row = 0; row < rows; row++) {
                for (int col = 0; col < cols; col++) {
                    r[(i * cols + col) * rows + row] = a[(i * rows + row) * cols + col];
                }
            }
        }
        return r;
    }
}
