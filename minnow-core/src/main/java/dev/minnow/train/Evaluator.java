package dev.minnow.train;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;

/**
 * Top-1, top-5, mean cross-entropy and the confusion matrix of a model over a dataset.
 * Images are normalized here (the graph expects normalized input), in dataset order.
 */
public final class Evaluator {
    public static final int DEFAULT_BATCH_SIZE = 256;
    private final Model model;

    private Evaluator(Model model) {
        this.model = model;
    }

    /** Runs the graph with a {@link TrainingExecutor} in inference mode. */
    public static Evaluator of(Graph graph) {
        return new Evaluator(new TrainingExecutor(graph));
    }

    public static Evaluator of(Model model) {
        return new Evaluator(model);
    }

    /** The split's test set with the split's normalization. */
    public EvalResult evaluate(DatasetSplit split) {
        return evaluate(split.test(), split.normalization());
    }

    public EvalResult evaluate(Dataset data, Normalization normalization) {
        return evaluate(data, normalization, DEFAULT_BATCH_SIZE, null);
    }

    /** listener may be null. */
    public EvalResult evaluate(Dataset data, Normalization normalization, int batchSize, EvalListener listener) {
        if (data.size() == 0) {
            throw new InvalidInputException("cannot evaluate on an empty dataset");
        }
        Loss loss = Losses.crossEntropy();
        Metrics metrics = new Metrics(data.numClasses());
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).transform(Transform.normalize(normalization)).build();
             DataLoader.Epoch epoch = loader.epoch(0)) {
            for (Batch b : epoch) {
                Tensor logits = model.predict(b.images());
                metrics.add(logits, b.labels(), b.count(), loss.compute(logits, Targets.labels(b.labels())).loss());
                if (listener != null) {
                    listener.onBatch(metrics.samples(), data.size());
                }
            }
        }
        return metrics.result();
    }
}
