package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantOpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static Tensor u8(Shape s, int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return Tensor.wrap(DType.UINT8, s, b);
    }

    static Tensor i8(Shape s, int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return Tensor.wrap(DType.INT8, s, b);
    }

    static long[] longs(Tensor t) {
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = t.getLong(i);
        }
        return r;
    }

    @Test
    void quantizeRoundsHalfToEvenAndSaturates() {
        Tensor x = Tensor.of(Shape.of(6), 1f, 3f, 5f, -1f, 1000f, -1000f);
        Tensor y = op("QuantizeLinear").forward(null, new Tensor[] {x, Tensor.scalar(2f), u8(Shape.scalar(), 128)})[0];
        assertEquals(DType.UINT8, y.dtype());
        // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0, then + 128, saturated to [0, 255]
        assertArrayEquals(new long[] {128, 130, 130, 128, 255, 0}, longs(y));
        Tensor s = op("QuantizeLinear").forward(null, new Tensor[] {x, Tensor.scalar(2f), i8(Shape.scalar(), 0)})[0];
        assertArrayEquals(new long[] {0, 2, 2, 0, 127, -128}, longs(s));
        Tensor noZp = op("QuantizeLinear", "output_dtype", 3).forward(null, new Tensor[] {x, Tensor.scalar(2f)})[0];
        assertEquals(DType.INT8, noZp.dtype());
        assertThrows(UnsupportedOpException.class, () -> op("QuantizeLinear", "output_dtype", 17));
    }

    @Test
    void perAxisAndBlockedRoundTrip() {
        Tensor x = Tensor.of(Shape.of(2, 4), 1, 2, 3, 4, 10, 20, 30, 40);
        Tensor scales = Tensor.of(Shape.of(2), 1, 10);
        Tensor zps = u8(Shape.of(2), 0, 100);
        Tensor q = op("QuantizeLinear", "axis", 0).forward(null, new Tensor[] {x, scales, zps})[0];
        assertArrayEquals(new long[] {1, 2, 3, 4, 101, 102, 103, 104}, longs(q));
        Tensor back = op("DequantizeLinear", "axis", 0).forward(null, new Tensor[] {q, scales, zps})[0];
        assertArrayEquals(x.floats(), back.floats());
        // blocks of 2 along axis 1: scales [2, 2]
        Tensor bs = Tensor.of(Shape.of(2, 2), 1, 2, 10, 20);
        Tensor qb = op("QuantizeLinear", "axis", 1, "block_size", 2, "output_dtype", 3).forward(null, new Tensor[] {x, bs})[0];
        assertArrayEquals(new long[] {1, 2, 2, 2, 1, 2, 2, 2}, longs(qb));
    }

    @Test
    void dynamicQuantizeLinearIncludesZero() {
        Tensor[] r = op("DynamicQuantizeLinear").forward(null, new Tensor[] {Tensor.of(Shape.of(3), 1f, 2f, 2.55f)});
        assertEquals(0.01f, r[1].floats()[0], 1e-7f);
        assertEquals(0, r[2].getLong(0));
        assertArrayEquals(new long[] {100, 200, 255}, longs(r[0]));
        Tensor[] n = op("DynamicQuantizeLinear").forward(null, new Tensor[] {Tensor.of(Shape.of(2), -2.55f, 0f)});
        assertEquals(255, n[2].getLong(0));
        assertArrayEquals(new long[] {0, 255}, longs(n[0]));
    }

    @Test
    void integerProductsAreExactAndMatchFloatOnesOnSmallValues() {
        SplittableRandom r = new SplittableRandom(21);
        int[] av = new int[2 * 3 * 5];
        int[] bv = new int[5 * 4];
        for (int i = 0; i < av.length; i++) {
            av[i] = r.nextInt(256);
        }
        for (int i = 0; i < bv.length; i++) {
            bv[i] = r.nextInt(256) - 128;
        }
        Tensor a = u8(Shape.of(2, 3, 5), av);
        Tensor b = i8(Shape.of(5, 4), bv);
        Tensor y = op("MatMulInteger").forward(null, new Tensor[] {a, b, u8(Shape.scalar(), 7)})[0];
        assertEquals(DType.INT32, y.dtype());
        Tensor af = Tensor.zeros(Shape.of(2, 3, 5));
        for (int i = 0; i < av.length; i++) {
            af.floats()[i] = av[i] - 7;
        }
        Tensor bf = b.cast(DType.FLOAT32);
        Tensor yf = op("MatMul").forward(null, new Tensor[] {af, bf})[0];
        for (int i = 0; i < y.size(); i++) {
            assertEquals(yf.floats()[i], y.ints()[i], 0f);
        }
        // ConvInteger against float Conv of the shifted values
        Tensor x = u8(Shape.of(1, 2, 4, 4), new int[32]);
        for (int i = 0; i < 32; i++) {
            x.bytes()[i] = (byte) r.nextInt(256);
        }
        Tensor w = i8(Shape.of(3, 2, 2, 2), new int[24]);
        for (int i = 0; i < 24; i++) {
            w.bytes()[i] = (byte) (r.nextInt(256) - 128);
        }
        Tensor wzp = i8(Shape.of(3), 1, -2, 3);
        Object[] attrs = {"pads", new int[] {1, 0, 0, 1}, "strides", new int[] {2, 1}};
        Tensor yi = op("ConvInteger", attrs).forward(null, new Tensor[] {x, w, u8(Shape.scalar(), 5), wzp})[0];
        Tensor xf = x.cast(DType.FLOAT32);
        for (int i = 0; i < 32; i++) {
            xf.floats()[i] = (x.bytes()[i] & 0xff) - 5;
        }
        Tensor wf = w.cast(DType.FLOAT32);
        for (int i = 0; i < 24; i++) {
            wf.floats()[i] -= wzp.bytes()[i / 8];
        }
        Tensor yc = op("Conv", attrs).forward(null, new Tensor[] {xf, wf})[0];
        assertEquals(yc.shape(), yi.shape());
        for (int i = 0; i < yi.size(); i++) {
            assertEquals(yc.floats()[i], yi.ints()[i], 0f);
        }
    }

    @Test
    void qlinearMatMulAndConvRequantize() {
        // a = [[2, 4]] (zp 0, scale 0.5), b = [[1], [3]] (scale 1): real product 0.5 * (2 + 12) = 7
        Tensor a = u8(Shape.of(1, 2), 2, 4);
        Tensor b = u8(Shape.of(2, 1), 1, 3);
        Tensor y = op("QLinearMatMul").forward(null, new Tensor[] {a, Tensor.scalar(0.5f), u8(Shape.scalar(), 0), b,
                Tensor.scalar(1f), u8(Shape.scalar(), 0), Tensor.scalar(2f), u8(Shape.scalar(), 10)})[0];
        assertArrayEquals(new long[] {14}, longs(y), "7 / 2 = 3.5 rounds to 4, plus zero point 10");
        // 1x1 convolution with bias: (3 * 2 + 4) * 0.5 * 1 / 1 = 5
        Tensor x = u8(Shape.of(1, 1, 1, 1), 3);
        Tensor w = u8(Shape.of(1, 1, 1, 1), 2);
        Tensor yc = op("QLinearConv").forward(null, new Tensor[] {x, Tensor.scalar(0.5f), u8(Shape.scalar(), 0), w,
                Tensor.scalar(1f), u8(Shape.scalar(), 0), Tensor.scalar(1f), u8(Shape.scalar(), 0),
                Tensor.ofInts(Shape.of(1), 4)})[0];
        assertArrayEquals(new long[] {5}, longs(yc));
    }
}
