package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inference executor against plain per-node forward (TrainingExecutor.predict) on zoo models. */
class InferenceExecutorTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet20", "mobilenetv2-cifar", "vgg-small", "mobilenetv2", "squeezenet1.1"})
    void matchesPlainForward(String model) {
        Graph g = Zoo.build(model, 3);
        randomizeBatchNorm(g, new SplittableRandom(5));
        int nodesBefore = g.nodes().size();
        TrainingExecutor plain = new TrainingExecutor(g);
        InferenceExecutor fast = InferenceExecutor.of(g);
        assertEquals(nodesBefore, g.nodes().size(), "the source graph must stay as it was");
        SplittableRandom rnd = new SplittableRandom(7);
        for (int batch : new int[] {2, 2, 1}) {
            Tensor x = image(g, batch, rnd);
            float[] want = plain.predict(x).floats();
            float[] fed = x.floats().clone();
            float[] got = fast.run(x).floats();
            org.junit.jupiter.api.Assertions.assertArrayEquals(fed, x.floats(), "the fed input must not be written to");
            assertClose(want, got, model + " batch " + batch);
        }
        InferenceExecutor.Summary s = fast.summary();
        long bns = g.nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).count();
        assertEquals(bns, s.foldedBatchNorms(), "every Conv+BN pair of the zoo models folds");
        assertTrue(s.plannedBuffers() <= s.kernelOutputs());
        if (!model.equals("lenet5")) {
            assertTrue(s.fusedActivations() > 0, "Conv followed by Relu/ReLU6 fuses");
        }
        if (model.startsWith("mobilenet")) {
            // every inverted-residual block runs conv -> dw -> 1x1 channel-last; the first block has no
            // expand conv, so its chain starts at the stem: 3x3 stride 2 on ImageNet (through im2col),
            // 3x3 stride 1 on CIFAR (a Winograd shape, which stays NCHW, and so does that block)
            long dws = g.nodes().stream().filter(n -> n.opType().equals("Conv") && n.attributes().getInt("group", 1) > 1)
                    .count();
            assertEquals(3 * (model.equals("mobilenetv2") ? dws : dws - 1), s.nhwcConvs(), "NHWC chains: " + s);
        } else {
            assertEquals(0, s.nhwcConvs(), "no depthwise convolutions, no NHWC: " + s);
        }
        if (model.startsWith("squeezenet")) {
            // the eight fire modules' Concat outputs are planned (and reused) like the conv outputs
            long concats = g.nodes().stream().filter(n -> n.opType().equals("Concat")).count();
            long kernels = g.nodes().stream().filter(n -> n.opType().equals("Conv") || n.opType().equals("MaxPool")).count();
            assertEquals(8, concats);
            assertEquals(concats + kernels, s.kernelOutputs(), "every Conv, MaxPool and Concat output is placed: " + s);
        }
        if (model.startsWith("resnet") || model.startsWith("mobilenet") || model.startsWith("squeezenet")) {
            // repeated block shapes: later Convs take buffers of dead earlier ones
            assertTrue(s.plannedBuffers() < s.kernelOutputs(), "buffers are reused: " + s);
        }
    }

    static Tensor image(Graph g, int batch, SplittableRandom rnd) {
        int[] d = g.inputs().get(0).type().shape().dims();
        d[0] = batch;
        Shape shape = Shape.of(d);
        float[] v = new float[shape.sizeInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return Tensor.of(shape, v);
    }

    /** Fresh BN statistics are the identity; random ones make folding visible. */
    static void randomizeBatchNorm(Graph g, SplittableRandom r) {
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                for (int i = 1; i <= 4; i++) {
                    float[] a = g.initializers().get(n.input(i)).floats();
                    for (int j = 0; j < a.length; j++) {
                        a[j] = (float) (i == 4 ? r.nextDouble(0.5, 2) : i == 1 ? r.nextDouble(0.5, 1.5)
                                : r.nextDouble(-0.2, 0.2));
                    }
                }
            }
        }
    }

    static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4 * (1 + scale), what + " at " + i);
        }
    }
}
