package dev.minnow.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Zoo graphs run through the real ops (a minimal interpreter: each node's forward in order). */
class ZooForwardTest {
    /** LeNet-300-100 against the same three layers written out by hand over its weights. */
    @Test
    void lenet300100MatchesHandWrittenLayers() {
        Graph g = Zoo.build("lenet-300-100", 5);
        float[] x = random(2 * 784, 1);
        float[] logits = run(g, Tensor.of(Shape.of(2, 1, 28, 28), x)).floats();
        Map<String, Tensor> w = g.initializers();
        float[] h = x;
        int in = 784;
        int[] widths = {300, 100, 10};
        for (int layer = 0; layer < 3; layer++) {
            float[] wt = w.get("fc" + (layer + 1) + ".weight").floats();
            float[] bias = w.get("fc" + (layer + 1) + ".bias").floats();
            int out = widths[layer];
            float[] y = new float[2 * out];
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < out; o++) {
                    double s = bias[o];
                    for (int i = 0; i < in; i++) {
                        s += (double) h[n * in + i] * wt[o * in + i];
                    }
                    y[n * out + o] = (float) (layer < 2 ? Math.max(s, 0) : s);
                }
            }
            h = y;
            in = out;
        }
        assertArrayEquals(h, logits, 1e-4f);
    }

    /** In inference mode every sample is computed independently of the rest of its batch. */
    @Test
    void cifarModelsRunAndSamplesAreIndependent() {
        for (String name : new String[] {"lenet5", "resnet20", "mobilenetv2-cifar"}) {
            Graph g = Zoo.build(name, 3);
            Shape s = g.inputs().get(0).type().shape();
            int per = s.dim(1) * s.dim(2) * s.dim(3);
            float[] x = random(2 * per, 2);
            float[] both = run(g, Tensor.of(s.withDim(0, 2), x)).floats();
            float[] first = run(g, Tensor.of(s.withDim(0, 1), java.util.Arrays.copyOf(x, per))).floats();
            assertEquals(20, both.length, name);
            double energy = 0;
            for (int i = 0; i < 10; i++) {
                assertEquals(first[i], both[i], 1e-4f * (1 + Math.abs(first[i])), name);
                assertTrue(Float.isFinite(both[i + 10]), name);
                energy += first[i] * first[i];
            }
            assertTrue(energy > 0, name + " gives all-zero logits");
        }
    }

    static Tensor run(Graph g, Tensor input) {
        Map<String, Tensor> values = new HashMap<>(g.initializers());
        values.put(g.inputs().get(0).name(), input);
        for (Node n : g.nodes()) {
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = n.input(i).isEmpty() ? null : values.get(n.input(i));
            }
            Tensor[] out = n.op().forward(OpContext.inference(), in);
            for (int i = 0; i < n.outputs().size(); i++) {
                values.put(n.output(i), out[i]);
            }
        }
        return values.get(g.outputs().get(0).name());
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
