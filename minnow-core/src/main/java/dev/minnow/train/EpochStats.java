package dev.minnow.train;

/**
 * What one epoch did. {@code epoch} is 1-based; trainLoss is the mean over the epoch's
 * samples; test figures come from the test split after the epoch; imagesPerSecond counts
 * training only (forward, backward, update); seconds includes the test evaluation.
 */
public record EpochStats(int epoch, double trainLoss, double testTop1, double testLoss, double imagesPerSecond,
                         double seconds, double learningRate) {
}
