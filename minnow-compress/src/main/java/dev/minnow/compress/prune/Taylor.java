package dev.minnow.compress.prune;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.LossValue;
import dev.minnow.train.Losses;
import dev.minnow.train.Targets;
import dev.minnow.train.TrainingExecutor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * First-order Taylor importance (Molchanov et al. 2017, in its weight form): removing a weight w
 * changes the loss by about |w * dL/dw|, so a channel class scores the sum of |w * g| over every
 * weight that makes it, with g the loss gradient summed over a few batches of training data.
 */
public final class Taylor {
    private Taylor() {
    }

    /** Gradients of the cross-entropy over {@code batches} batches (inference-mode statistics untouched). */
    public static Map<String, Tensor> gradients(Graph g, Dataset data, Normalization norm, int batches, int batchSize, long seed) {
        if (batches < 1) {
            throw new InvalidInputException("Taylor importance needs at least one batch of data, got " + batches);
        }
        Graph copy = g.copy(); // batch norm's running statistics move in training mode: keep the model's
        TrainingExecutor ex = new TrainingExecutor(copy);
        Map<String, Tensor> sum = new HashMap<>();
        int seen = 0;
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(true).seed(seed)
                .transform(Transform.normalize(norm)).build()) {
            for (Batch b : loader.epoch(0)) {
                Tensor out = ex.forward(b.images(), true, seed + seen);
                LossValue v = Losses.crossEntropy().compute(out, new Targets(b.labels(), null));
                ex.backward(v.gradient()).forEach((k, t) -> {
                    Tensor acc = sum.computeIfAbsent(k, n -> Tensor.zeros(t.shape()));
                    float[] a = acc.floats();
                    float[] x = t.floats();
                    for (int i = 0; i < a.length; i++) {
                        a[i] += x[i];
                    }
                });
                if (++seen == batches) {
                    break;
                }
            }
        }
        return sum;
    }

    /** The importance over gradients from {@link #gradients} of the same graph (names must match). */
    public static Importance importance(Map<String, Tensor> gradients) {
        return (graph, group) -> {
            List<ChannelClass> classes = group.classes();
            double[] r = new double[classes.size()];
            for (int i = 0; i < r.length; i++) {
                for (ChannelDependencies.Binding b : classes.get(i).bindings()) {
                    Tensor grad = gradients.get(b.initializer());
                    if (!b.source() || grad == null) {
                        continue;
                    }
                    Tensor w = graph.initializers().get(b.initializer());
                    AxisSlice sl = AxisSlice.of(w, b.axis(), b.index());
                    float[] x = w.floats();
                    float[] gr = grad.floats();
                    for (int a = 0; a < sl.outer(); a++) {
                        for (int k = sl.start(a), end = k + sl.inner(); k < end; k++) {
                            r[i] += Math.abs((double) x[k] * gr[k]);
                        }
                    }
                }
            }
            return r;
        };
    }
}
