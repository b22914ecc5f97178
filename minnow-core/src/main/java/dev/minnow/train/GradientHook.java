package dev.minnow.train;

import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * Called between backward and the optimizer step with the live parameters and the gradients
 * the step will use (after gradient accumulation and regularizers). A hook may write into the
 * gradient tensors or replace map entries: masks zero pruned gradients, group lasso adds its
 * term, weight sharing sums gradients per cluster. {@code step} is the 0-based index of the
 * optimizer step about to be taken.
 */
@FunctionalInterface
public interface GradientHook {
    void beforeStep(Map<String, Tensor> parameters, Map<String, Tensor> gradients, long step);
}
