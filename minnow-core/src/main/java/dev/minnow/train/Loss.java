package dev.minnow.train;

import dev.minnow.tensor.Tensor;

/** A training objective: forward value and gradient w.r.t. the output in one call. Made by {@link Losses}. */
public interface Loss {
    /** Output is [N, C] (or [N, ...], flattened per sample); the loss is a mean over the batch. */
    LossValue compute(Tensor output, Targets targets);

    /** Short description for settings strings, e.g. "cross-entropy(smoothing=0.1)". */
    String describe();
}
