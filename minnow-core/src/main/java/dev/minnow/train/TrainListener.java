package dev.minnow.train;

import java.nio.file.Path;

/** Progress of a {@link Trainer} run. Called on the training thread; keep it quick. */
public interface TrainListener {
    /** After each batch's forward and backward (and the optimizer step when one was due). */
    default void onBatch(BatchProgress progress) {
    }

    /**
     * Between backward (and the gradient hooks) and the optimizer step, with the gradients the
     * step will use (read them; change them through a {@link GradientHook}). step is 0-based.
     */
    default void beforeStep(long step, java.util.Map<String, dev.minnow.tensor.Tensor> gradients) {
    }

    /** After each epoch's test evaluation. */
    default void onEpoch(EpochStats stats) {
    }

    /** After a checkpoint was written (atomically) to path. */
    default void onCheckpoint(Path path, int epochsCompleted) {
    }

    /**
     * One batch of training. epoch is 1-based, batch 0-based within the epoch; step counts
     * optimizer steps taken in the whole run so far. loss is the objective's value on the batch;
     * penalty the regularizers' total at the step taken after it (0 when none was taken).
     */
    record BatchProgress(int epoch, int epochs, int batch, int batches, double loss, double learningRate, long step,
                         double penalty) {
        public BatchProgress(int epoch, int epochs, int batch, int batches, double loss, double learningRate, long step) {
            this(epoch, epochs, batch, batches, loss, learningRate, step, 0);
        }
    }
}
