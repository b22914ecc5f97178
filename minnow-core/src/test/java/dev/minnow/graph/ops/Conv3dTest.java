package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

class Conv3dTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    /** Direct 3-D correlation with zero padding (pads begin = end = p per axis), stride s, one group. */
    static float[] reference(Tensor x, Tensor w, int p, int s) {
        int[] xd = x.shape().dims();
        int[] wd = w.shape().dims();
        int n = xd[0], c = xd[1], m = wd[0];
        int[] in = {xd[2], xd[3], xd[4]};
        int[] k = {wd[2], wd[3], wd[4]};
        int[] o = new int[3];
        for (int i = 0; i < 3; i++) {
            o[i] = (in[i] + 2 * p - k[i]) / s + 1;
        }
        float[] y = new float[n * m * o[0] * o[1] * o[2]];
        int at = 0;
        for (int b = 0; b < n; b++)
            for (int mm = 0; mm < m; mm++)
                for (int d = 0; d < o[0]; d++)
                    for (int h = 0; h < o[1]; h++)
                        for (int ww = 0; ww < o[2]; ww++) {
                            double acc = 0;
                            for (int cc = 0; cc < c; cc++)
                                for (int a = 0; a < k[0]; a++)
                                    for (int bb = 0; bb < k[1]; bb++)
                                        for (int e = 0; e < k[2]; e++) {
                                            int id = d * s - p + a, ih = h * s - p + bb, iw = ww * s - p + e;
                                            if (id < 0 || ih < 0 || iw < 0 || id >= in[0] || ih >= in[1] || iw >= in[2]) {
                                                continue;
                                            }
                                            acc += x.floats()[(((b * c + cc) * in[0] + id) * in[1] + ih) * in[2] + iw]
                                                    * w.floats()[(((mm * c + cc) * k[0] + a) * k[1] + bb) * k[2] + e];
                                        }
                            y[at++] = (float) acc;
                        }
        return y;
    }

    @Test
    void conv3dMatchesDirectLoops() {
        SplittableRandom r = new SplittableRandom(51);
        Tensor x = GradCheck.random(r, 2, 2, 4, 5, 3);
        Tensor w = GradCheck.random(r, 3, 2, 2, 3, 2);
        Op conv = op("Conv", "pads", new int[] {1, 1, 1, 1, 1, 1}, "strides", new int[] {2, 2, 2});
        Tensor y = conv.forward(null, new Tensor[] {x, w})[0];
        assertArrayEquals(reference(x, w, 1, 2), y.floats(), 1e-5f);
        List<TensorType> in = List.of(new TensorType(x.dtype(), x.shape()), new TensorType(w.dtype(), w.shape()));
        assertEquals(y.shape(), conv.inferTypes(in, Arrays.asList(null, null)).get(0).shape());
    }

    @Test
    void conv3dAndConvTranspose3dGradientsAndAdjointness() {
        SplittableRandom r = new SplittableRandom(52);
        Object[] a = {"pads", new int[] {1, 0, 0, 0, 1, 1}, "strides", new int[] {2, 1, 1}, "group", 2};
        GradCheck.check(op("Conv", a), new Tensor[] {GradCheck.random(r, 1, 2, 3, 3, 2), GradCheck.random(r, 4, 1, 2, 2, 2),
                GradCheck.random(r, 4)}, 0, 1, 2);
        GradCheck.check(op("ConvTranspose", a), new Tensor[] {GradCheck.random(r, 1, 2, 2, 2, 2),
                GradCheck.random(r, 2, 2, 2, 2, 2), GradCheck.random(r, 4)}, 0, 1, 2);
        Tensor x = GradCheck.random(r, 1, 2, 2, 3, 2);
        Tensor w = GradCheck.random(r, 2, 2, 2, 2, 2);
        Tensor t = op("ConvTranspose", a).forward(null, new Tensor[] {x, w})[0];
        Tensor y = GradCheck.random(r, t.shape().dims());
        Tensor c = op("Conv", a).forward(null, new Tensor[] {y, w})[0];
        assertEquals(x.shape(), c.shape());
        assertEquals(Group2OpsTest.dot(t.floats(), y.floats()), Group2OpsTest.dot(x.floats(), c.floats()), 1e-4);
    }
}
