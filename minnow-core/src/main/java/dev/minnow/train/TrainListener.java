package dev.minnow.train;

import java.nio.file.Path;

/** Progress of a {@link Trainer} run. Called on the training thread; keep it quick. */
public interface TrainListener {
    /** After each batch's forward and backward (and the optimizer step when one was due). */
    default void onBatch(BatchProgress progress) {
    }

    /** After each epoch's test evaluation. */
    default void onEpoch(EpochStats stats) {
    }

    /** After a checkpoint was written (atomically) to path. */
    default void onCheckpoint(Path path, int epochsCompleted) {
    }

    /**
     * One batch of training. epoch is 1-based, batch 0-based within the epoch; step counts
     * optimizer steps taken in the whole run so far.
     */
    record BatchProgress(int epoch, int epochs, int batch, int batches, double loss, double learningRate, long step) {
    }
}
