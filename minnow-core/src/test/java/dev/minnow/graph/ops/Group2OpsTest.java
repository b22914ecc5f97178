package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Group2OpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static Tensor run(Op op, Tensor... in) {
        return op.forward(null, in)[0];
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void convTransposeHandCases() {
        Tensor x = Tensor.of(Shape.of(1, 1, 2), 1, 2);
        Tensor w = Tensor.of(Shape.of(1, 1, 2), 1, 1);
        assertArrayEquals(new float[] {1, 1, 2, 2}, run(op("ConvTranspose", "strides", new int[] {2}), x, w).floats());
        assertArrayEquals(new float[] {1, 3, 2}, run(op("ConvTranspose"), x, w).floats());
        assertArrayEquals(new float[] {3, 2, 0}, run(op("ConvTranspose", "output_shape", new int[] {3}, "pads", new int[] {0, 0},
                "strides", new int[] {1}, "output_padding", new int[] {1}, "kernel_shape", new int[] {2}), x, w)
                .floats(), "output_padding 1 with output_shape 3 trims one at the start");
    }

    /** ConvTranspose is the adjoint of Conv with the same attributes: <T(x), y> = <x, C(y)>. */
    @Test
    void convTransposeIsTheAdjointOfConv() {
        SplittableRandom r = new SplittableRandom(12);
        Object[] attrs = {"strides", new int[] {2, 3}, "pads", new int[] {1, 0, 0, 2}, "dilations", new int[] {1, 2}, "group", 2};
        Tensor x = GradCheck.random(r, 2, 4, 3, 4);
        Tensor w = GradCheck.random(r, 4, 3, 3, 2);
        Tensor t = run(op("ConvTranspose", attrs), x, w);
        assertEquals(Shape.of(2, 6, 2 * 2 + 3 - 1, 3 * 3 + 3 - 2), t.shape());
        Tensor y = GradCheck.random(r, t.shape().dims());
        Tensor c = run(op("Conv", attrs), y, w);
        assertEquals(x.shape(), c.shape());
        assertEquals(dot(t.floats(), y.floats()), dot(x.floats(), c.floats()), 1e-3);
    }

    @Test
    void convTransposeGradientsAndMacs() {
        SplittableRandom r = new SplittableRandom(13);
        GradCheck.check(op("ConvTranspose", "strides", new int[] {2, 1}, "pads", new int[] {0, 1, 1, 0}, "group", 2,
                "output_padding", new int[] {1, 0}), new Tensor[] {GradCheck.random(r, 1, 2, 3, 3),
                GradCheck.random(r, 2, 2, 2, 3), GradCheck.random(r, 4)}, 0, 1, 2);
        Op op = op("ConvTranspose", "strides", new int[] {2, 2});
        List<TensorType> in = List.of(TensorType.f32(1, 3, 5, 5), TensorType.f32(3, 4, 2, 2));
        assertEquals(Shape.of(1, 4, 10, 10), op.inferTypes(in, Arrays.asList(null, null)).get(0).shape());
        assertEquals(3L * 25 * 4 * 4, op.macs(in, op.inferTypes(in, Arrays.asList(null, null))));
        assertThrows(UnsupportedOpException.class, () -> op("ConvTranspose", "auto_pad", "BOTH"));
    }

    @Test
    void normalizationHandCases() {
        // one plane {1, 3}: mean 2, variance 1 -> {-1, 1}, then scale 2, bias 1 -> {-1, 3} (epsilon 0)
        Tensor x = Tensor.of(Shape.of(1, 1, 2), 1, 3);
        Tensor two = Tensor.of(Shape.of(1), 2);
        Tensor one = Tensor.of(Shape.of(1), 1);
        assertArrayEquals(new float[] {-1, 3}, run(op("InstanceNormalization", "epsilon", 0f), x, two, one).floats(), 1e-6f);
        assertArrayEquals(new float[] {-1, 3}, run(op("GroupNormalization", "num_groups", 1, "epsilon", 0f), x, two, one)
                .floats(), 1e-6f);
        Tensor[] ln = op("LayerNormalization", "epsilon", 0f).forward(null, new Tensor[] {x, two, one});
        assertArrayEquals(new float[] {-1, 3}, ln[0].floats(), 1e-6f);
        assertEquals(Shape.of(1, 1, 1), ln[1].shape());
        assertEquals(2f, ln[1].floats()[0], 1e-6f);
        assertEquals(1f, ln[2].floats()[0], 1e-6f);
        // groups: 4 channels in 2 groups, each group {0, 2} -> {-1, 1}
        Tensor g = Tensor.of(Shape.of(1, 4, 1), 0, 2, 5, 7);
        Tensor ones = Tensor.of(Shape.of(4), 1, 1, 1, 1);
        Tensor zeros = Tensor.of(Shape.of(4), 0, 0, 0, 0);
        assertArrayEquals(new float[] {-1, 1, -1, 1}, run(op("GroupNormalization", "num_groups", 2, "epsilon", 0f), g, ones, zeros)
                .floats(), 1e-6f);
        // opset 18 form: one scale and bias per group
        assertArrayEquals(new float[] {-1, 1, -2, 2}, run(op("GroupNormalization", "num_groups", 2, "epsilon", 0f), g,
                Tensor.of(Shape.of(2), 1, 2), Tensor.of(Shape.of(2), 0, 0)).floats(), 1e-6f);
    }

    @Test
    void normalizationGradients() {
        SplittableRandom r = new SplittableRandom(14);
        GradCheck.check(op("InstanceNormalization"), new Tensor[] {GradCheck.random(r, 2, 3, 4), GradCheck.random(r, 3),
                GradCheck.random(r, 3)}, 0, 1, 2);
        GradCheck.check(op("GroupNormalization", "num_groups", 2), new Tensor[] {GradCheck.random(r, 2, 4, 3),
                GradCheck.random(r, 4), GradCheck.random(r, 4)}, 0, 1, 2);
        GradCheck.check(op("LayerNormalization", "axis", 1), new Tensor[] {GradCheck.random(r, 2, 3, 4),
                GradCheck.random(r, 3, 4), GradCheck.random(r, 4)}, 0, 1, 2);
        GradCheck.check(op("LRN", "size", 3, "alpha", 0.5f, "beta", 0.75f, "bias", 2f),
                new Tensor[] {GradCheck.random(r, 2, 5, 2)}, 0);
    }

    @Test
    void lrnAndHardmaxHandCases() {
        // size 2 windows: channel 0 sees {0, 1}, channel 1 sees {1}; alpha/size = 1, beta 1, bias 1
        Tensor x = Tensor.of(Shape.of(1, 2), 1, 2);
        assertArrayEquals(new float[] {1f / 6, 2f / 5}, run(op("LRN", "size", 2, "alpha", 2f, "beta", 1f), x).floats(), 1e-6f);
        Tensor h = Tensor.of(Shape.of(2, 3), 1, 3, 3, -1, -2, -3);
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 0}, run(op("Hardmax"), h).floats());
        assertArrayEquals(new float[] {1, 1, 1, 0, 0, 0}, run(op("Hardmax", "axis", 0), h).floats());
        // opset < 13: default axis 1 over the input flattened to 2-D, here [1, 6]
        Tensor h3 = Tensor.of(Shape.of(1, 2, 3), 1, 3, 3, -1, 5, -3);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 0}, run(op("Hardmax", "_opset", 11L), h3).floats());
        Tensor s = run(op("Softmax", "_opset", 11L), Tensor.of(Shape.of(1, 2, 2), 0, 0, 0, 0));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, s.floats(), 1e-6f);
    }
}
