package dev.minnow.train;

import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * An objective's value for one batch, its gradient with respect to each student value it read
 * (by value name), and its named terms for progress reports (e.g. "cross-entropy", "hint").
 */
public record ObjectiveValue(double loss, Map<String, Tensor> gradients, Map<String, Double> terms) {
    public ObjectiveValue {
        gradients = Map.copyOf(gradients);
        terms = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(terms));
    }
}
