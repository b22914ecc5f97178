package dev.minnow.train;

import dev.minnow.tensor.Tensor;

/**
 * What a loss compares the model output with: class labels, target values (a regression
 * target or a teacher's logits), or both (distillation mixes them). Either may be null.
 */
public record Targets(int[] labels, Tensor values) {
    public static Targets labels(int... labels) {
        return new Targets(labels, null);
    }

    public static Targets values(Tensor values) {
        return new Targets(null, values);
    }
}
