package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TaylorTest {
    /** 64 random 1x28x28 images with random labels. */
    private static Dataset noise() {
        SplittableRandom r = new SplittableRandom(9);
        float[][] x = new float[64][784];
        int[] y = new int[64];
        for (int i = 0; i < 64; i++) {
            for (int k = 0; k < 784; k++) {
                x[i][k] = (float) r.nextDouble();
            }
            y[i] = r.nextInt(10);
        }
        return new Dataset() {
            public int size() {
                return 64;
            }

            public Shape sampleShape() {
                return Shape.of(1, 28, 28);
            }

            public int numClasses() {
                return 10;
            }

            public void copySample(int index, float[] dst, int off) {
                System.arraycopy(x[index], 0, dst, off, 784);
            }

            public int label(int index) {
                return y[index];
            }
        };
    }

    @Test
    void scoresAreWeightTimesGradientSummedOverTheChannel() {
        Graph g = Zoo.build("lenet5", 3);
        Normalization norm = new Normalization(new float[] {0.5f}, new float[] {0.25f});
        Map<String, Tensor> grads = Taylor.gradients(g, noise(), norm, 2, 32, 1);
        Node conv1 = g.nodes().get(0);
        Tensor w = g.initializers().get(conv1.input(1));
        Tensor gw = grads.get(conv1.input(1));
        Tensor gb = grads.get(conv1.input(2));
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelGroup grp = deps.groupOf(conv1.output(0));
        double[] s = Taylor.importance(grads).scores(g, grp);
        // channel 3 by hand: its 25 weights and its bias
        double want = 0;
        for (int k = 0; k < 25; k++) {
            want += Math.abs((double) w.floats()[3 * 25 + k] * gw.floats()[3 * 25 + k]);
        }
        want += Math.abs((double) g.initializers().get(conv1.input(2)).floats()[3] * gb.floats()[3]);
        assertEquals(want, s[3], 1e-9 * Math.max(1, want));
        assertTrue(java.util.Arrays.stream(s).anyMatch(v -> v > 0));
    }
}
