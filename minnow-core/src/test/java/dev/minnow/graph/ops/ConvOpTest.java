package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConvOpTest {
    static Op op(Object... kv) {
        return OpRegistry.global().create("Conv", Attributes.of(kv));
    }

    /**
     * Independent 2-D reference: copies x into an explicitly zero-padded buffer, then takes the
     * valid correlation with strides and dilations, per group.
     */
    static float[] reference(Tensor x, Tensor w, Tensor b, int[] s, int[] pads, int[] d, int group) {
        int[] xd = x.shape().dims();
        int[] wd = w.shape().dims();
        int n = xd[0], c = xd[1], h = xd[2], wi = xd[3];
        int m = wd[0], cg = wd[1], kh = wd[2], kw = wd[3];
        int ph = h + pads[0] + pads[2], pw = wi + pads[1] + pads[3];
        float[][][][] p = new float[n][c][ph][pw];
        for (int a = 0; a < n; a++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wi; j++)
                        p[a][ch][i + pads[0]][j + pads[1]] = x.floats()[((a * c + ch) * h + i) * wi + j];
        int oh = (ph - (kh - 1) * d[0] - 1) / s[0] + 1, ow = (pw - (kw - 1) * d[1] - 1) / s[1] + 1;
        float[] y = new float[n * m * oh * ow];
        int mg = m / group;
        for (int a = 0; a < n; a++)
            for (int o = 0; o < m; o++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = b == null ? 0 : b.floats()[o];
                        for (int q = 0; q < cg; q++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++)
                                    acc += p[a][(o / mg) * cg + q][i * s[0] + u * d[0]][j * s[1] + v * d[1]]
                                            * w.floats()[((o * cg + q) * kh + u) * kw + v];
                        y[((a * m + o) * oh + i) * ow + j] = (float) acc;
                    }
        return y;
    }

    @Test
    void handComputedSmallCase() {
        // 1x1x3x3 input, 1x1x2x2 kernel of ones, bias 10: sums of 2x2 blocks plus 10
        Tensor x = Tensor.of(Shape.of(1, 1, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        Tensor w = Tensor.of(Shape.of(1, 1, 2, 2), 1, 1, 1, 1);
        Tensor b = Tensor.of(Shape.of(1), 10);
        Tensor y = op().forward(OpContext.inference(), new Tensor[] {x, w, b})[0];
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertArrayEquals(new float[] {22, 26, 34, 38}, y.floats());
    }

    @Test
    void oddShapesMatchPaddedReference() {
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 40; t++) {
            int group = 1 + r.nextInt(3);
            int cg = 1 + r.nextInt(3);
            int mg = 1 + r.nextInt(3);
            int[] s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
            int[] d = {1 + r.nextInt(2), 1 + r.nextInt(2)};
            int[] pads = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)};
            int kh = 1 + r.nextInt(3), kw = 1 + r.nextInt(3);
            int h = (kh - 1) * d[0] + 1 + r.nextInt(6), w = (kw - 1) * d[1] + 1 + r.nextInt(6);
            Tensor x = GradCheck.random(r, 1 + r.nextInt(2), cg * group, h, w);
            Tensor wt = GradCheck.random(r, mg * group, cg, kh, kw);
            Tensor b = r.nextBoolean() ? GradCheck.random(r, mg * group) : null;
            Op op = op("strides", s, "dilations", d, "pads", pads, "group", group);
            Tensor[] in = b == null ? new Tensor[] {x, wt} : new Tensor[] {x, wt, b};
            Tensor y = op.forward(OpContext.inference(), in)[0];
            assertArrayEquals(reference(x, wt, b, s, pads, d, group), y.floats(), 1e-4f);
            List<TensorType> types = op.inferTypes(Arrays.stream(in).map(v -> new TensorType(v.dtype(), v.shape())).toList(),
                    Arrays.asList(new Tensor[in.length]));
            assertEquals(y.shape(), types.get(0).shape());
        }
    }

    @Test
    void autoPadSameAndValidShapes() {
        TensorType x = TensorType.f32(-1, 3, 7, 8);
        TensorType w = TensorType.f32(4, 3, 3, 3);
        List<Tensor> none = Arrays.asList(null, null);
        assertEquals(Shape.of(-1, 4, 4, 4), op("auto_pad", "SAME_UPPER", "strides", new int[] {2, 2})
                .inferTypes(List.of(x, w), none).get(0).shape());
        assertEquals(Shape.of(-1, 4, 5, 6), op("auto_pad", "VALID").inferTypes(List.of(x, w), none).get(0).shape());
        // SAME_LOWER puts the odd padding first: with kernel 2 the single pad row is on top
        Tensor in = Tensor.of(Shape.of(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor k = Tensor.of(Shape.of(1, 1, 2, 2), 1, 0, 0, 0);
        assertArrayEquals(new float[] {0, 0, 0, 1}, op("auto_pad", "SAME_LOWER").forward(null, new Tensor[] {in, k})[0].floats());
        assertArrayEquals(new float[] {1, 2, 3, 4}, op("auto_pad", "SAME_UPPER").forward(null, new Tensor[] {in, k})[0].floats());
    }

    @Test
    void oneDimensionalConvolution() {
        Tensor x = Tensor.of(Shape.of(1, 1, 5), 1, 2, 3, 4, 5);
        Tensor w = Tensor.of(Shape.of(1, 1, 2), 1, -1);
        Tensor y = op("pads", new int[] {1, 0}).forward(null, new Tensor[] {x, w})[0];
        assertEquals(Shape.of(1, 1, 5), y.shape());
        assertArrayEquals(new float[] {-1, -1, -1, -1, -1}, y.floats());
    }

    @Test
    void gradientsIncludingDepthwiseAndBias() {
        SplittableRandom r = new SplittableRandom(5);
        GradCheck.check(op("pads", new int[] {1, 0, 0, 1}, "strides", new int[] {2, 1}),
                new Tensor[] {GradCheck.random(r, 2, 2, 5, 4), GradCheck.random(r, 3, 2, 3, 2), GradCheck.random(r, 3)}, 0, 1, 2);
        GradCheck.check(op("group", 3, "pads", new int[] {1, 1, 1, 1}, "dilations", new int[] {2, 1}),
                new Tensor[] {GradCheck.random(r, 1, 3, 5, 5), GradCheck.random(r, 3, 1, 2, 3)}, 0, 1);
    }

    @Test
    void macsAreConventional() {
        Op op = op("pads", new int[] {1, 1, 1, 1}, "group", 2);
        List<TensorType> in = List.of(TensorType.f32(2, 4, 8, 8), TensorType.f32(6, 2, 3, 3));
        List<TensorType> out = op.inferTypes(in, Arrays.asList(null, null));
        assertEquals(2L * 6 * 8 * 8 * 2 * 3 * 3, op.macs(in, out));
    }

    @Test
    void rejectsUnsupportedAttributeValues() {
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> op("auto_pad", "SAME_MIDDLE"));
        assertTrue(e.getMessage().contains("Conv") && e.getMessage().contains("auto_pad") && e.getMessage().contains("SAME_MIDDLE"));
        assertThrows(UnsupportedOpException.class, () -> op("group", 0));
    }
}
