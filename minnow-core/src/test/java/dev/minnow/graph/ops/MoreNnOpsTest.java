package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MoreNnOpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static Tensor run(Op op, Tensor... in) {
        return op.forward(null, in)[0];
    }

    @Test
    void lpNormalizationHandCasesAndGradients() {
        Tensor x = Tensor.of(Shape.of(2, 2), 3, 4, 0, 0);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, run(op("LpNormalization"), x).floats(), 1e-6f);
        assertArrayEquals(new float[] {3 / 7f, 4 / 7f, 0, 0}, run(op("LpNormalization", "p", 1), x).floats(), 1e-6f);
        assertArrayEquals(new float[] {1, 1, 0, 0}, run(op("LpNormalization", "axis", 0), x).floats(), 1e-6f);
        SplittableRandom r = new SplittableRandom(41);
        GradCheck.check(op("LpNormalization", "axis", 1), new Tensor[] {GradCheck.random(r, 2, 3, 2)}, 0);
        GradCheck.check(op("LpNormalization", "p", 1), new Tensor[] {GradCheck.random(r, 2, 3, 2)}, 0);
    }

    @Test
    void meanVarianceNormalization() {
        // {1, 2}: mean 1.5, std 0.5
        assertArrayEquals(new float[] {-1, 1}, run(op("MeanVarianceNormalization", "axes", new int[] {1}),
                Tensor.of(Shape.of(1, 2), 1, 2)).floats(), 1e-6f);
        SplittableRandom r = new SplittableRandom(42);
        GradCheck.check(op("MeanVarianceNormalization"), new Tensor[] {GradCheck.random(r, 2, 2, 2, 3)}, 0);
    }

    @Test
    void rmsNormalization() {
        // {3, 4}: mean square 12.5, so y = x / sqrt(12.5) * scale (epsilon 0)
        float k = (float) Math.sqrt(12.5);
        Tensor[] y = op("RMSNormalization", "epsilon", 0f).forward(null, new Tensor[] {Tensor.of(Shape.of(1, 2), 3, 4),
                Tensor.of(Shape.of(2), 1, 2)});
        assertEquals(1, y.length);
        assertArrayEquals(new float[] {3 / k, 8 / k}, y[0].floats(), 1e-6f);
        SplittableRandom r = new SplittableRandom(45);
        GradCheck.check(op("RMSNormalization", "axis", 1), new Tensor[] {GradCheck.random(r, 2, 3, 2), GradCheck.random(r, 3, 2)},
                0, 1);
    }

    @Test
    void maxUnpoolInvertsMaxPoolOnTheMaxima() {
        SplittableRandom r = new SplittableRandom(43);
        Tensor x = PoolOpsTest.distinct(r, 1, 2, 4, 6);
        Object[] a = {"kernel_shape", new int[] {2, 2}, "strides", new int[] {2, 2}};
        Tensor[] pooled = op("MaxPool", a).forward(null, new Tensor[] {x});
        Tensor back = op("MaxUnpool", a).forward(null, new Tensor[] {pooled[0], pooled[1]})[0];
        assertEquals(x.shape(), back.shape());
        for (int i = 0; i < pooled[1].size(); i++) {
            int at = (int) pooled[1].longs()[i];
            assertEquals(x.floats()[at], back.floats()[at]);
        }
        int nonZero = 0;
        for (float v : back.floats()) {
            nonZero += v != 0 ? 1 : 0;
        }
        assertEquals(pooled[0].size(), nonZero);
        GradCheck.check(op("MaxUnpool", a), new Tensor[] {pooled[0], pooled[1]}, 0);
    }

    @Test
    void deformConvWithZeroOffsetsIsConvAndIntegerOffsetsShift() {
        SplittableRandom r = new SplittableRandom(44);
        Tensor x = GradCheck.random(r, 1, 4, 5, 6);
        Tensor w = GradCheck.random(r, 4, 2, 2, 3);
        Tensor b = GradCheck.random(r, 4);
        Object[] a = {"group", 2, "pads", new int[] {1, 0, 0, 1}, "strides", new int[] {1, 2}, "offset_group", 2};
        Tensor conv = run(op("Conv", a), x, w, b);
        int oh = conv.shape().dim(2);
        int ow = conv.shape().dim(3);
        Tensor zero = Tensor.zeros(Shape.of(1, 2 * 2 * 6, oh, ow));
        assertArrayEquals(conv.floats(), run(op("DeformConv", a), x, w, zero, b).floats(), 1e-5f);
        // every tap moved one row down equals Conv with one less top pad and one more bottom pad
        Tensor down = Tensor.zeros(zero.shape());
        for (int g = 0; g < 2; g++) {
            for (int t = 0; t < 6; t++) {
                java.util.Arrays.fill(down.floats(), ((g * 12) + 2 * t) * oh * ow, ((g * 12) + 2 * t + 1) * oh * ow, 1f);
            }
        }
        Tensor shifted = run(op("Conv", "group", 2, "pads", new int[] {0, 0, 1, 1}, "strides", new int[] {1, 2}), x, w, b);
        Tensor deformed = run(op("DeformConv", a), x, w, down, b);
        assertEquals(shifted.shape(), deformed.shape());
        assertArrayEquals(shifted.floats(), deformed.floats(), 1e-5f);
        // a mask of 0.5 halves everything but the bias
        Tensor half = Tensor.zeros(Shape.of(1, 2 * 6, oh, ow));
        java.util.Arrays.fill(half.floats(), 0.5f);
        Tensor masked = run(op("DeformConv", a), x, w, zero, null, half);
        Tensor plain = run(op("DeformConv", a), x, w, zero);
        for (int i = 0; i < masked.size(); i++) {
            assertEquals(plain.floats()[i] / 2, masked.floats()[i], 1e-5f);
        }
    }

    @Test
    void deformConvGradients() {
        SplittableRandom rnd = new SplittableRandom(77);
        Object[] a = {"group", 2, "pads", new int[] {1, 0, 0, 1}, "strides", new int[] {1, 2}, "dilations", new int[] {2, 1},
                "offset_group", 2};
        Tensor x = GradCheck.random(rnd, 2, 4, 5, 5);
        Tensor w = GradCheck.random(rnd, 4, 2, 2, 3);
        Tensor b = GradCheck.random(rnd, 4);
        Tensor conv = run(op("Conv", a), x, w, b);
        int oh = conv.shape().dim(2);
        int ow = conv.shape().dim(3);
        Tensor off = GradCheck.random(rnd, 2, 2 * 2 * 6, oh, ow);
        for (int i = 0; i < off.size(); i++) {
            off.floats()[i] *= 1.5f;
        }
        Tensor mask = GradCheck.random(rnd, 2, 2 * 6, oh, ow);
        GradCheck.check(op("DeformConv", a), new Tensor[] {x, w, off, b, mask}, new int[] {0, 1, 2, 3, 4}, false, 1e-4, 1e-2);
        GradCheck.check(op("DeformConv", "kernel_shape", new int[] {2, 2}), new Tensor[] {GradCheck.random(rnd, 1, 3, 4, 3),
                GradCheck.random(rnd, 2, 3, 2, 2), GradCheck.random(rnd, 1, 8, 3, 2)}, new int[] {0, 1, 2}, false, 1e-4, 1e-2);
        // zero offsets, no mask: the gradients of X, W and B are Conv's
        Tensor zero = Tensor.zeros(off.shape());
        Tensor gy = GradCheck.random(rnd, conv.shape().dims());
        Op c = op("Conv", a);
        Op d = op("DeformConv", a);
        Tensor[] gc = c.backward(null, new Tensor[] {x, w, b}, new Tensor[] {conv}, new Tensor[] {gy});
        Tensor[] gd = d.backward(null, new Tensor[] {x, w, zero, b}, new Tensor[] {conv}, new Tensor[] {gy});
        assertArrayEquals(gc[0].floats(), gd[0].floats(), 1e-4f);
        assertArrayEquals(gc[1].floats(), gd[1].floats(), 1e-4f);
        assertArrayEquals(gc[2].floats(), gd[3].floats(), 1e-4f);
    }
}
