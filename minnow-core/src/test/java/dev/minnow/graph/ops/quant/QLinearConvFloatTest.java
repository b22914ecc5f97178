package dev.minnow.graph.ops.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The float-kernel QLinearConv against the integer kernel (QLinearConvOp.forward), bit for bit. */
class QLinearConvFloatTest {
    private static Tensor codes(SplittableRandom rnd, DType type, Shape shape) {
        byte[] b = new byte[(int) shape.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return Tensor.wrap(type, shape, b);
    }

    private static Tensor zeroPoint(DType type, int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return Tensor.wrap(type, v.length == 1 ? Shape.of() : Shape.of(v.length), b);
    }

    @Test
    void equalsTheIntegerKernelOnRandomShapes() {
        SplittableRandom rnd = new SplittableRandom(13);
        int nonSaturated = 0;
        int total = 0;
        int refused = 0;
        int chunked = 0;
        for (int t = 0; t < 150; t++) {
            int kind = rnd.nextInt(6); // 0 plain, 1 depthwise, 2 pointwise, 3 grouped, 4 wide small plane, 5 past the bound
            int groups = kind == 1 ? 2 + rnd.nextInt(20) : kind == 3 ? 2 + rnd.nextInt(3) : 1;
            int cpg = kind == 1 ? 1 : kind == 4 ? 16 + rnd.nextInt(48) : kind == 5 ? 80 + rnd.nextInt(48) : 1 + rnd.nextInt(24);
            int mpg = kind == 1 ? 1 : kind == 4 ? 8 + rnd.nextInt(40) : 1 + rnd.nextInt(20);
            boolean pointwise = kind == 2;
            int k = pointwise ? 1 : kind == 5 ? 3 : 1 + rnd.nextInt(3) + (kind == 4 ? 1 : 0);
            int stride = pointwise ? 1 : 1 + rnd.nextInt(2);
            int pad = pointwise ? 0 : rnd.nextInt(2);
            int dil = pointwise || kind == 4 ? 1 : 1 + rnd.nextInt(2);
            int h = (k - 1) * dil + 1 + rnd.nextInt(kind == 4 ? 8 : 14);
            int wd = (k - 1) * dil + 1 + rnd.nextInt(kind == 4 ? 8 : 14);
            int c = groups * cpg;
            int m = groups * mpg;
            DType xType = rnd.nextBoolean() || kind == 5 ? DType.UINT8 : DType.INT8;
            DType wType = rnd.nextInt(3) == 0 ? DType.UINT8 : DType.INT8;
            DType yType = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            Tensor w = codes(rnd, wType, Shape.of(m, cpg, k, k));
            if (kind == 5) { // large magnitudes: sum |w| x 255 crosses 2^24, the channels run in chunks
                wType = DType.INT8;
                w = Tensor.wrap(wType, w.shape(), w.bytes());
                for (int i = 0; i < w.size(); i++) {
                    w.bytes()[i] = (byte) ((rnd.nextBoolean() ? 1 : -1) * (100 + rnd.nextInt(28)));
                }
            }
            int xz = kind == 5 ? 0 : xType == DType.UINT8 ? rnd.nextInt(256) : rnd.nextInt(-128, 128);
            int[] wz = new int[rnd.nextInt(3) == 0 ? m : 1];
            for (int i = 0; i < wz.length; i++) {
                wz[i] = wType == DType.UINT8 ? (rnd.nextBoolean() ? 128 : rnd.nextInt(256)) : kind == 5 ? 0 : rnd.nextInt(-8, 8);
            }
            int yz = yType == DType.UINT8 ? rnd.nextInt(256) : rnd.nextInt(-128, 128);
            float[] ws = new float[rnd.nextBoolean() ? m : 1];
            double typical = Math.sqrt(cpg * k * k) * 120 * 90; // typical |acc|: spread the outputs over the range
            for (int i = 0; i < ws.length; i++) {
                ws[i] = (float) ((0.3 + rnd.nextDouble()) / typical * 100);
            }
            Tensor bias = null;
            if (rnd.nextBoolean()) {
                int[] b = new int[m];
                for (int i = 0; i < m; i++) {
                    b[i] = rnd.nextInt(-200_000, 200_000);
                }
                bias = Tensor.ofInts(Shape.of(m), b);
            }
            QLinearConvOp op = (QLinearConvOp) OpRegistry.global().create("QLinearConv", Attributes.of(
                    "kernel_shape", new int[] {k, k}, "strides", new int[] {stride, stride},
                    "pads", new int[] {pad, pad, pad, pad}, "dilations", new int[] {dil, dil}, "group", groups));
            Tensor xScale = Tensor.scalar(0.02f + (float) rnd.nextDouble() * 0.05f);
            Tensor wScale = Tensor.of(ws.length == 1 ? Shape.of() : Shape.of(ws.length), ws);
            Tensor yScale = Tensor.scalar(0.05f + (float) rnd.nextDouble() * 0.1f);
            // scale the weights' factor so that x_scale * w_scale / y_scale stays near 100 / typical
            ws = wScale.floats();
            for (int i = 0; i < ws.length; i++) {
                ws[i] *= yScale.floats()[0] / xScale.floats()[0];
            }
            Tensor xZero = zeroPoint(xType, xz);
            Tensor wZero = zeroPoint(wType, wz);
            Tensor yZero = zeroPoint(yType, yz);
            QLinearConvFloat viaFloats = QLinearConvFloat.create(op, xType, xScale, xZero, w, wScale, wZero, yScale,
                    yZero, bias);
            double bound = maxRowL1(w, wz) * Math.max(xz - Quant.min(xType), Quant.max(xType) - xz);
            if (bound >= 1 << 24 && groups > 1) {
                assertNull(viaFloats, "grouped, bound " + bound + " >= 2^24, trial " + t);
                refused++;
                continue;
            }
            assertNotNull(viaFloats, "bound " + bound + ", groups " + groups + ", trial " + t);
            chunked += viaFloats.chunkCount() > 1 ? 1 : 0;
            for (int batch : new int[] {1 + rnd.nextInt(2), 3}) { // a second batch size reuses the packing
                Tensor x = codes(rnd, xType, Shape.of(batch, c, h, wd));
                Tensor want = op.forward(OpContext.inference(),
                        new Tensor[] {x, xScale, xZero, w, wScale, wZero, yScale, yZero, bias})[0];
                Tensor got = viaFloats.forward(x);
                assertTrue(got.shape().equals(want.shape()) && got.dtype() == want.dtype(), "shape and type");
                assertArrayEquals(want.bytes(), got.bytes(), "trial " + t + " kind " + kind + " batch " + batch);
                int lo = (int) Quant.min(yType);
                int hi = (int) Quant.max(yType);
                for (byte v : want.bytes()) {
                    int q = yType == DType.UINT8 ? v & 0xff : v;
                    nonSaturated += q != lo && q != hi ? 1 : 0;
                    total++;
                }
            }
        }
        assertTrue(refused < 30, refused + " of 150 shapes refused: the comparison must cover most");
        assertTrue(chunked >= 5, "some random shapes run in channel chunks: " + chunked);
        assertTrue(nonSaturated > total / 2, "most outputs inside the range, so rounding is compared: "
                + nonSaturated + " of " + total);
    }

    private static double maxRowL1(Tensor w, int[] wz) {
        int m = w.shape().dim(0);
        int per = w.size() / m;
        double max = 0;
        for (int r = 0; r < m; r++) {
            double l1 = 0;
            for (int i = r * per; i < (r + 1) * per; i++) {
                int v = w.dtype() == DType.UINT8 ? w.bytes()[i] & 0xff : w.bytes()[i];
                l1 += Math.abs(v - wz[wz.length == 1 ? 0 : r]);
            }
            max = Math.max(max, l1);
        }
        return max;
    }

    /**
     * 576 weights of -127 against inputs that reach 255 from their zero point bound a partial sum
     * by 18.7M > 2^24: one float convolution could round, so the input channels run in two chunks
     * whose exact results are added in int32; with weights of -60 the bound is 8.8M, one chunk.
     * Inputs all 255, a multiplier of 1 and a bias that cancels the interior sums but for a few
     * units put the outputs inside the range, so any rounding of a sum would show.
     */
    @Test
    void splitsChannelsWhenAPartialSumCouldLeaveTheExactIntegers() {
        QLinearConvOp op = (QLinearConvOp) OpRegistry.global().create("QLinearConv", Attributes.of(
                "kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1}));
        for (int weight : new int[] {-127, -60}) {
            byte[] wb = new byte[2 * 64 * 9];
            java.util.Arrays.fill(wb, (byte) weight);
            for (int i = 64 * 9; i < wb.length; i += 2) {
                wb[i] = (byte) (weight + 1); // the second filter alternates, so its sums are odd
            }
            Tensor w = Tensor.wrap(DType.INT8, Shape.of(2, 64, 3, 3), wb);
            // a bias that brings the interior sums (all 576 taps on 255) to 5 and -7: exact sums show as is
            int[] bias = new int[2];
            for (int r = 0; r < 2; r++) {
                long interior = 0;
                for (int k = r * 576; k < (r + 1) * 576; k++) {
                    interior += wb[k] * 255L;
                }
                bias[r] = (int) (-interior + (r == 0 ? 5 : -7));
            }
            Tensor[] in = {null, Tensor.scalar(1f), zeroPoint(DType.UINT8, 0), w, Tensor.scalar(1f), null,
                Tensor.scalar(1f), zeroPoint(DType.INT8, 0), Tensor.ofInts(Shape.of(2), bias)};
            QLinearConvFloat f = QLinearConvFloat.create(op, DType.UINT8, in[1], in[2], w, in[4], null, in[6], in[7], in[8]);
            byte[] xb = new byte[2 * 64 * 8 * 8];
            java.util.Arrays.fill(xb, (byte) 255);
            in[0] = Tensor.wrap(DType.UINT8, Shape.of(2, 64, 8, 8), xb);
            Tensor want = op.forward(OpContext.inference(), in)[0];
            assertEquals(5, want.bytes()[9], "an interior output of filter 0");
            assertEquals(-7, want.bytes()[64 + 9], "an interior output of filter 1");
            assertArrayEquals(want.bytes(), f.forward(in[0]).bytes(), "weight " + weight);
            assertEquals(weight == -127 ? 2 : 1, f.chunkCount(), "weight " + weight);
            int inside = 0;
            for (byte v : want.bytes()) {
                inside += v > -128 && v < 127 ? 1 : 0;
            }
            assertTrue(inside > want.size() / 2, "outputs inside the range: " + inside);
        }
    }

    /**
     * A 3x3 stride-1 convolution wide enough that the float network runs it with Winograd, whose
     * transforms leave the integers; with a requantization multiplier of exactly 0.5 every odd
     * accumulator is a tie, which a sum off by one rounding error breaks. The float path must
     * match the integer kernel on all of them.
     */
    @Test
    void winogradShapesStayExactAtRoundingTies() {
        QLinearConvOp op = (QLinearConvOp) OpRegistry.global().create("QLinearConv", Attributes.of(
                "kernel_shape", new int[] {3, 3}, "pads", new int[] {1, 1, 1, 1}));
        var g = op.geometry(Shape.of(1, 64, 16, 16), Shape.of(64, 64, 3, 3));
        assertNotNull(dev.minnow.kernels.Conv2d.prepare(g, new float[64 * 64 * 9]).winograd(),
                "the float network would use Winograd here");
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] wb = new byte[64 * 64 * 9];
        for (int i = 0; i < wb.length; i++) {
            wb[i] = (byte) rnd.nextInt(-2, 3);
        }
        byte[] xb = new byte[64 * 16 * 16];
        for (int i = 0; i < xb.length; i++) {
            xb[i] = (byte) (128 + rnd.nextInt(-6, 7));
        }
        Tensor w = Tensor.wrap(DType.INT8, Shape.of(64, 64, 3, 3), wb);
        Tensor x = Tensor.wrap(DType.UINT8, Shape.of(1, 64, 16, 16), xb);
        Tensor[] in = {x, Tensor.scalar(1f), zeroPoint(DType.UINT8, 128), w, Tensor.scalar(0.5f), null,
            Tensor.scalar(1f), zeroPoint(DType.INT8, 0), null};
        Tensor want = op.forward(OpContext.inference(), in)[0];
        Tensor got = QLinearConvFloat.create(op, DType.UINT8, in[1], in[2], w, in[4], null, in[6], in[7], null)
                .forward(x);
        assertArrayEquals(want.bytes(), got.bytes());
        int inside = 0;
        for (byte v : want.bytes()) {
            inside += v > -128 && v < 127 ? 1 : 0;
        }
        assertTrue(inside > want.size() * 0.8, inside + " of " + want.size() + " unsaturated");
    }
}
