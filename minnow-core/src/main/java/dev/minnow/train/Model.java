package dev.minnow.train;

import dev.minnow.tensor.Tensor;

/**
 * Anything that maps a batch of images (NCHW float32, already normalized) to logits.
 * The evaluator and distillation accept this, so the training executor and a faster
 * inference executor can be swapped freely.
 */
@FunctionalInterface
public interface Model {
    Tensor predict(Tensor batch);
}
