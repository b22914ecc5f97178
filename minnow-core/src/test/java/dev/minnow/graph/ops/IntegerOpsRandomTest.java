package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.QuantOpsTest.op;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * MatMulInteger and QLinearMatMul (Int8Gemm with zero-point sums) against plain long loops on
 * random shapes: uint8 / int8 on both sides (uint8 x uint8 included), per-tensor, per-row and
 * per-column zero points, batched A against a shared B.
 */
class IntegerOpsRandomTest {
    private static Tensor codes(SplittableRandom rnd, DType d, Shape s) {
        byte[] b = new byte[(int) s.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (rnd.nextInt(6) == 0 ? (rnd.nextBoolean() ? 0x80 : 0x7f) : rnd.nextInt(256));
        }
        return Tensor.wrap(d, s, b);
    }

    private static long code(Tensor t, int i) {
        return t.getLong(i);
    }

    @Test
    void matMulIntegerStaysExactPast2To24() {
        // 1,100-term sums of odd products near the largest (255 x -128 / -127) cross 2^24, where a
        // float sum would round; the kernel must add exact chunks in int32
        int k = 1100;
        byte[] av = new byte[2 * k];
        java.util.Arrays.fill(av, (byte) 255);
        byte[] bv = new byte[k * 3];
        for (int i = 0; i < bv.length; i++) {
            bv[i] = (byte) (i % 2 == 0 ? -128 : -127);
        }
        Tensor a = Tensor.wrap(DType.UINT8, Shape.of(2, k), av);
        Tensor b = Tensor.wrap(DType.INT8, Shape.of(k, 3), bv);
        Tensor y = op("MatMulInteger").forward(null, new Tensor[] {a, b})[0];
        for (int j = 0; j < 3; j++) {
            long want = 0;
            for (int kk = 0; kk < k; kk++) {
                want += 255L * bv[kk * 3 + j];
            }
            assertEquals(want, y.getLong(j), "column " + j);
            assertEquals(true, Math.abs(want) > 1 << 24, "the sum crosses 2^24");
        }
    }

    @Test
    void matMulIntegerEqualsLongLoops() {
        SplittableRandom rnd = new SplittableRandom(71);
        for (int trial = 0; trial < 60; trial++) {
            int batch = 1 + rnd.nextInt(3);
            int m = 1 + rnd.nextInt(9);
            int k = rnd.nextInt(70);
            int n = 1 + rnd.nextInt(45);
            DType ad = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            DType bd = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            Tensor a = codes(rnd, ad, Shape.of(batch, m, k));
            Tensor b = codes(rnd, bd, Shape.of(k, n));
            Tensor za = codes(rnd, ad, rnd.nextBoolean() ? Shape.scalar() : Shape.of(m));
            Tensor zb = codes(rnd, bd, rnd.nextBoolean() ? Shape.scalar() : Shape.of(n));
            Tensor y = op("MatMulInteger").forward(null, new Tensor[] {a, b, za, zb})[0];
            assertEquals(DType.INT32, y.dtype());
            for (int bb = 0; bb < batch; bb++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        long want = 0;
                        for (int kk = 0; kk < k; kk++) {
                            want += (code(a, (bb * m + i) * k + kk) - code(za, za.size() == 1 ? 0 : i))
                                    * (code(b, kk * n + j) - code(zb, zb.size() == 1 ? 0 : j));
                        }
                        assertEquals(want, y.getLong((bb * m + i) * n + j), ad + " x " + bd + " " + m + "x" + k + "x" + n);
                    }
                }
            }
        }
    }

    @Test
    void qlinearMatMulRequantizesInFloat32() {
        SplittableRandom rnd = new SplittableRandom(72);
        for (int trial = 0; trial < 40; trial++) {
            int m = 1 + rnd.nextInt(5);
            int k = 1 + rnd.nextInt(40);
            int n = 1 + rnd.nextInt(40);
            DType ad = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            DType bd = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            DType yd = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            Tensor a = codes(rnd, ad, Shape.of(m, k));
            Tensor b = codes(rnd, bd, Shape.of(k, n));
            Tensor za = codes(rnd, ad, Shape.scalar());
            Tensor zb = codes(rnd, bd, Shape.scalar());
            Tensor zy = codes(rnd, yd, Shape.scalar());
            float as = (float) rnd.nextDouble(0.001, 0.05);
            float bs = (float) rnd.nextDouble(0.001, 0.05);
            float ys = (float) rnd.nextDouble(0.01, 0.5);
            Tensor y = op("QLinearMatMul").forward(null, new Tensor[] {a, Tensor.scalar(as), za, b, Tensor.scalar(bs), zb,
                    Tensor.scalar(ys), zy})[0];
            float mult = as * bs / ys;
            long lo = yd == DType.UINT8 ? 0 : -128;
            long hi = yd == DType.UINT8 ? 255 : 127;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long acc = 0;
                    for (int kk = 0; kk < k; kk++) {
                        acc += (code(a, i * k + kk) - code(za, 0)) * (code(b, kk * n + j) - code(zb, 0));
                    }
                    long want = Math.max(lo, Math.min(hi, (long) Math.rint((float) acc * mult) + code(zy, 0)));
                    assertEquals(want, y.getLong(i * n + j), "at " + i + "," + j);
                }
            }
        }
    }
}
