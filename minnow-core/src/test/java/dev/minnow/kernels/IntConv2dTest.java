package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float-kernel integer convolution against the direct int-loop reference. */
class IntConv2dTest {
    /** A shape the float forward runs with Winograd, whose transforms round: the fast path must not. */
    private static final ConvGeometry WINOGRAD_SIZED = ConvGeometry.of(1, 128, 40, 40, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);

    @Test
    void fastMatchesDirectLoopsOnInt8Ranges() {
        SplittableRandom rnd = new SplittableRandom(7);
        ConvGeometry[] shapes = {
            ConvGeometry.of(1, 96, 12, 12, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1), // pointwise: one GEMM
            ConvGeometry.of(2, 32, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32), // depthwise
            ConvGeometry.of(1, 3, 15, 15, 16, 3, 3, 2, 2, 0, 0, 1, 1, 1, 1, 1), // strided, asymmetric pads: im2col
            WINOGRAD_SIZED,
            ConvGeometry.of(1, 12, 7, 7, 18, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3), // grouped
        };
        assertEquals(Conv2d.Algorithm.WINOGRAD, Conv2d.algorithmFor(WINOGRAD_SIZED));
        for (ConvGeometry g : shapes) {
            // zero-point-free uint8 / int8 activations span [-255, 255], int8 weights [-127, 127]
            int[] x = random(rnd, g.inputSize(), 255);
            int[] w = random(rnd, g.outChannels() * g.inChannelsPerGroup() * g.kernelH() * g.kernelW(), 127);
            int[] expected = new int[g.outputSize()];
            IntConv2d.forward(g, x, w, expected);
            int[] actual = new int[g.outputSize()];
            IntConv2d.forwardFast(g, x, w, actual);
            assertArrayEquals(expected, actual, g.toString());
        }
    }

    @Test
    void sumsBeyondFloatPrecisionStayExact() {
        // 64 channels of 2^13 * 2^11: sums near 2^30, where float32 would drop the low bits
        ConvGeometry g = ConvGeometry.of(1, 64, 4, 4, 8, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        SplittableRandom rnd = new SplittableRandom(3);
        int[] x = random(rnd, g.inputSize(), 1 << 13);
        int[] w = random(rnd, 8 * 64, 1 << 11);
        x[0] = (1 << 13) + 1; // odd, so some exact sums are odd numbers above 2^24
        int[] expected = new int[g.outputSize()];
        IntConv2d.forward(g, x, w, expected);
        int[] actual = new int[g.outputSize()];
        IntConv2d.forwardFast(g, x, w, actual);
        assertArrayEquals(expected, actual);
        boolean beyond = false;
        for (int v : expected) {
            beyond |= Math.abs(v) > IntConv2d.FLOAT_EXACT;
        }
        assertTrue(beyond, "the case must leave float32's exact range");
    }

    @Test
    void emptyOutputIsANoOp() {
        ConvGeometry g = ConvGeometry.of(0, 2, 3, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        int[] y = new int[0];
        IntConv2d.forwardFast(g, new int[0], new int[4], y);
        assertEquals(0, y.length);
    }

    private static int[] random(SplittableRandom rnd, int n, int bound) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(-bound, bound + 1);
        }
        return v;
    }
}
