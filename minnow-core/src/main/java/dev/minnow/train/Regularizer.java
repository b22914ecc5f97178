package dev.minnow.train;

import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * A penalty on the parameters added to the training objective: {@link #apply} adds its
 * gradient into {@code gradients} (creating entries for parameters that had none) and returns
 * its value, which the trainer reports apart from the data loss. L1 and group lasso for
 * sparsity are the typical ones. Applied once per optimizer step, before the gradient hooks.
 */
public interface Regularizer {
    double apply(Map<String, Tensor> parameters, Map<String, Tensor> gradients);

    String describe();

    /** strength * sum |w| over the named parameters (all parameters when none are named). */
    static Regularizer l1(double strength, String... parameters) {
        java.util.Set<String> only = java.util.Set.of(parameters);
        return new Regularizer() {
            @Override
            public double apply(Map<String, Tensor> params, Map<String, Tensor> gradients) {
                double sum = 0;
                for (Map.Entry<String, Tensor> e : params.entrySet()) {
                    if (!only.isEmpty() && !only.contains(e.getKey())) {
                        continue;
                    }
                    float[] w = e.getValue().floats();
                    float[] g = gradients.computeIfAbsent(e.getKey(), k -> Tensor.zeros(e.getValue().shape())).floats();
                    for (int i = 0; i < w.length; i++) {
                        sum += Math.abs(w[i]);
                        g[i] += (float) (strength * Math.signum(w[i]));
                    }
                }
                return strength * sum;
            }

            @Override
            public String describe() {
                return "l1(" + strength + (only.isEmpty() ? "" : ", " + new java.util.TreeSet<>(only)) + ")";
            }
        };
    }
}
