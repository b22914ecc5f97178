package dev.minnow.train;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import java.util.SplittableRandom;

/** Small graphs and random tensors for the training tests. */
final class TestGraphs {
    private TestGraphs() {
    }

    static Tensor random(SplittableRandom r, double scale, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return t;
    }

    /**
     * Central difference of L = sum_k w_k * out_k with respect to p[i], where {@code run}
     * computes the output with the current parameter values.
     */
    static double numericDerivative(java.util.function.Supplier<Tensor> run, float[] w, float[] p, int i, double eps) {
        float saved = p[i];
        p[i] = (float) (saved + eps);
        double lp = weightedSum(run.get(), w);
        p[i] = (float) (saved - eps);
        double lm = weightedSum(run.get(), w);
        p[i] = saved;
        return (lp - lm) / (2 * eps);
    }

    static double weightedSum(Tensor out, float[] w) {
        double s = 0;
        for (int i = 0; i < w.length; i++) {
            s += (double) w[i] * out.floats()[i];
        }
        return s;
    }

    /** A multilayer perceptron "image" -> logits: flatten -> hidden (relu) -> classes. Parameters fc1.weight, fc1.bias, fc2.weight, fc2.bias. */
    static Graph mlp(int channels, int height, int width, int hidden, int classes, long seed) {
        GraphBuilder b = GraphBuilder.named("test-mlp", seed);
        Value x = b.flatten(b.input("image", Shape.of(-1, channels, height, width)));
        x = b.relu(b.dense(x, hidden));
        b.output("logits", b.dense(x, classes));
        return b.build();
    }
}
