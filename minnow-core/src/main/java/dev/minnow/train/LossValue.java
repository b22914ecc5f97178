package dev.minnow.train;

import dev.minnow.tensor.Tensor;

/** A loss averaged over the batch, and its gradient with respect to the model output (same shape). */
public record LossValue(double loss, Tensor gradient) {
}
