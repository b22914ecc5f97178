package dev.minnow.train;

/** Accuracy (fractions in [0, 1]), mean cross-entropy loss and confusion matrix over {@code samples} samples. */
public record EvalResult(double top1, double top5, double loss, int samples, ConfusionMatrix confusion) {
}
