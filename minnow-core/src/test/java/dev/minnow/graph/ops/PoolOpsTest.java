package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolOpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static Shape inferred(Op op, int... dims) {
        return op.inferTypes(List.of(TensorType.f32(dims)), Arrays.asList((Tensor) null)).get(0).shape();
    }

    private static final Tensor X44 = Tensor.of(Shape.of(1, 1, 4, 4),
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);

    @Test
    void maxPoolHandCaseWithIndices() {
        Tensor[] r = op("MaxPool", "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2})
                .forward(OpContext.inference(), new Tensor[] {X44});
        assertArrayEquals(new float[] {6, 8, 14, 16}, r[0].floats());
        assertArrayEquals(new long[] {5, 7, 13, 15}, r[1].longs());
        Tensor[] c = op("MaxPool", "kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}, "storage_order", 1)
                .forward(OpContext.inference(), new Tensor[] {X44});
        // column-major positions of (1,1), (1,3), (3,1), (3,3) in a 4x4 plane
        assertArrayEquals(new long[] {5, 13, 7, 15}, c[1].longs());
    }

    @Test
    void ceilModeDropsAWindowStartingInTheEndPadding() {
        // in 4, k 3, s 2: floor gives 1 window, ceil 2 (the second starts at 2, inside the input)
        assertEquals(Shape.of(1, 1, 2, 2), inferred(op("MaxPool", "kernel_shape", new int[] {3, 3}, "strides",
                new int[] {2, 2}, "ceil_mode", 1), 1, 1, 4, 4));
        // in 5, k 2, s 2, pads 1+1: ceil((5+2-2)/2)+1 = 4, but window 4 starts at 6-1 = 5 >= 5: reduced to 3
        assertEquals(Shape.of(1, 1, 3), inferred(op("MaxPool", "kernel_shape", new int[] {2}, "strides", new int[] {2},
                "pads", new int[] {1, 1}, "ceil_mode", 1), 1, 1, 5));
        assertEquals(Shape.of(-1, 3, 4), inferred(op("MaxPool", "kernel_shape", new int[] {2}, "strides", new int[] {2},
                "pads", new int[] {1, 1}), -1, 3, 6));
    }

    @Test
    void averagePoolCountIncludePad() {
        Tensor x = Tensor.of(Shape.of(1, 1, 3), 3, 6, 9);
        Object[] a = {"kernel_shape", new int[] {2}, "pads", new int[] {1, 1}, "strides", new int[] {2}};
        assertArrayEquals(new float[] {3, 7.5f}, op("AveragePool", a).forward(null, new Tensor[] {x})[0].floats());
        Object[] b = Arrays.copyOf(a, a.length + 2);
        b[a.length] = "count_include_pad";
        b[a.length + 1] = 1;
        assertArrayEquals(new float[] {1.5f, 7.5f}, op("AveragePool", b).forward(null, new Tensor[] {x})[0].floats());
    }

    @Test
    void lpPoolAndGlobalPools() {
        Tensor x = Tensor.of(Shape.of(1, 2, 2), 3, -4, 1, 1);
        assertArrayEquals(new float[] {5, (float) Math.sqrt(2)},
                op("LpPool", "kernel_shape", new int[] {2}).forward(null, new Tensor[] {x})[0].floats(), 1e-6f);
        assertArrayEquals(new float[] {7, 2}, op("LpPool", "kernel_shape", new int[] {2}, "p", 1)
                .forward(null, new Tensor[] {x})[0].floats(), 1e-6f);
        Tensor g = op("GlobalAveragePool").forward(null, new Tensor[] {X44})[0];
        assertEquals(Shape.of(1, 1, 1, 1), g.shape());
        assertEquals(8.5f, g.floats()[0], 1e-6f);
        assertEquals(16f, op("GlobalMaxPool").forward(null, new Tensor[] {X44})[0].floats()[0]);
        assertEquals(5f, op("GlobalLpPool").forward(null, new Tensor[] {x})[0].floats()[0], 1e-6f);
    }

    @Test
    void maxPoolOnUint8IsExact() {
        Tensor x = Tensor.wrap(DType.UINT8, Shape.of(1, 1, 4), new byte[] {(byte) 200, 3, (byte) 255, 7});
        Tensor y = op("MaxPool", "kernel_shape", new int[] {2}, "strides", new int[] {2}).forward(null, new Tensor[] {x})[0];
        assertEquals(DType.UINT8, y.dtype());
        assertEquals(200, y.getLong(0));
        assertEquals(255, y.getLong(1));
    }

    /** Values spaced 0.05 apart in random order, so a finite-difference step never changes an argmax. */
    static Tensor distinct(SplittableRandom r, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = 0.05f * (i - a.length / 2);
        }
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float v = a[i];
            a[i] = a[j];
            a[j] = v;
        }
        return t;
    }

    @Test
    void gradients() {
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = distinct(r, 2, 2, 5, 6);
        GradCheck.check(op("MaxPool", "kernel_shape", new int[] {3, 2}, "strides", new int[] {2, 2}, "pads",
                new int[] {1, 0, 1, 1}, "ceil_mode", 1), new Tensor[] {x}, 0);
        GradCheck.check(op("AveragePool", "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 1}, "pads",
                new int[] {1, 1, 1, 1}, "count_include_pad", 1), new Tensor[] {x}, 0);
        GradCheck.check(op("AveragePool", "kernel_shape", new int[] {2, 3}, "auto_pad", "SAME_UPPER", "dilations",
                new int[] {2, 1}), new Tensor[] {x}, 0);
        GradCheck.check(op("LpPool", "kernel_shape", new int[] {2, 2}, "p", 3), new Tensor[] {x}, 0);
        GradCheck.check(op("GlobalAveragePool"), new Tensor[] {x}, 0);
        GradCheck.check(op("GlobalMaxPool"), new Tensor[] {x}, 0);
        GradCheck.check(op("GlobalLpPool"), new Tensor[] {x}, 0);
        GradCheck.check(op("MaxPool", "kernel_shape", new int[] {2, 2, 2}), new Tensor[] {distinct(r, 1, 2, 3, 3, 4)}, 0);
    }

    @Test
    void rejectsUnsupportedAttributes() {
        assertThrows(UnsupportedOpException.class, () -> op("MaxPool"));
        assertThrows(UnsupportedOpException.class, () -> op("MaxPool", "kernel_shape", new int[] {2}, "storage_order", 2));
        assertThrows(UnsupportedOpException.class, () -> op("AveragePool", "kernel_shape", new int[] {2}, "ceil_mode", 3));
    }
}
