package dev.minnow.train;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import java.util.SplittableRandom;

/** Small graphs and random tensors for the training tests. */
final class TestOps {
    private TestOps() {
    }

    static Tensor random(SplittableRandom r, double scale, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return t;
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
