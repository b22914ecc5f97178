package dev.minnow.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Zoo graphs train: every learnable weight receives a gradient, and SGD fits a fixed small batch. */
class ZooTrainingTest {
    private static final int BATCH = 4;

    @ParameterizedTest
    @ValueSource(strings = {"lenet5", "resnet20", "mobilenetv2-cifar"})
    void everyWeightGetsAGradientAndTheLossFalls(String name) {
        Graph g = Zoo.build(name, 2);
        TrainingExecutor ex = new TrainingExecutor(g);
        Shape s = g.inputs().get(0).type().shape().withDim(0, BATCH);
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[s.sizeInt()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        int[] labels = {1, 7, 3, 9};
        Tensor input = Tensor.of(s, x);

        float first = Float.NaN;
        float last = Float.NaN;
        // up to 40 plain SGD steps on one batch: the loss must halve (the LeNets' fan-in init starts gently)
        for (int step = 0; step < 40 && !(last < 0.5 * first); step++) {
            float[] logits = ex.forward(input, true, step).floats();
            float[] dLogits = new float[logits.length];
            last = crossEntropy(logits, labels, dLogits);
            first = step == 0 ? last : first;
            Map<String, Tensor> grads = ex.backward(Tensor.of(Shape.of(BATCH, 10), dLogits));
            if (step == 0) {
                assertEquals(learnable(g), new TreeSet<>(grads.keySet()), name);
            }
            grads.forEach((k, gr) -> {
                float[] w = g.initializers().get(k).floats();
                float[] d = gr.floats();
                for (int i = 0; i < w.length; i++) {
                    w[i] -= 0.02f * d[i];
                }
            });
        }
        assertTrue(last < 0.5 * first, name + ": loss " + first + " -> " + last);
    }

    /** Conv and dense weights and biases, batch norm scale and bias: not BN statistics, not scalar constants. */
    private static Set<String> learnable(Graph g) {
        Set<String> r = new TreeSet<>();
        for (Node n : g.nodes()) {
            int inputs = n.opType().equals("BatchNormalization") ? 3 : n.inputs().size();
            for (int i = 1; i < inputs; i++) {
                Tensor t = g.initializers().get(n.input(i));
                if (t != null && t.shape().rank() > 0) {
                    r.add(n.input(i));
                }
            }
        }
        return r;
    }

    /** Mean softmax cross-entropy over the batch; writes d loss / d logits. */
    private static float crossEntropy(float[] logits, int[] labels, float[] grad) {
        int classes = logits.length / labels.length;
        double loss = 0;
        for (int n = 0; n < labels.length; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[n * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[n * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(logits[n * classes + c] - max) / sum;
                grad[n * classes + c] = (float) ((p - (c == labels[n] ? 1 : 0)) / labels.length);
            }
            loss -= logits[n * classes + labels[n]] - max - Math.log(sum);
        }
        return (float) (loss / labels.length);
    }
}
