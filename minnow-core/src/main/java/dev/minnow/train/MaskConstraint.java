package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Holds 0/1 masks on parameters through training: before each step the masked weights and
 * their gradients are set to zero (so weight decay, momentum and Adam's moments never see a
 * pruned weight), and after the step the masked weights are set to exactly zero again.
 * Fine-grained, N:M and pattern masks are all just masks; the pruning method makes them.
 */
public final class MaskConstraint implements ParameterConstraint, GradientHook {
    private final Map<String, float[]> masks = new LinkedHashMap<>();
    private final Map<String, Tensor> shapes = new LinkedHashMap<>();

    private MaskConstraint(Map<String, Tensor> masksByParameter) {
        masksByParameter.forEach((k, v) -> {
            masks.put(k, v.floats().clone());
            shapes.put(k, v);
        });
    }

    /** Masks by parameter name (1 keeps a weight, 0 holds it at zero); the tensors are copied. */
    public static MaskConstraint of(Map<String, Tensor> masksByParameter) {
        return new MaskConstraint(masksByParameter);
    }

    /** The masks (copies), by parameter name. */
    public Map<String, Tensor> masks() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        masks.forEach((k, m) -> r.put(k, Tensor.of(shapes.get(k).shape(), m.clone())));
        return Collections.unmodifiableMap(r);
    }

    /** Fraction of masked (zero) entries over all masked parameters. */
    public double sparsity() {
        long zeros = 0;
        long total = 0;
        for (float[] m : masks.values()) {
            for (float v : m) {
                zeros += v == 0 ? 1 : 0;
            }
            total += m.length;
        }
        return total == 0 ? 0 : (double) zeros / total;
    }

    /** Throws unless every mask names a parameter of the same element count. */
    public void check(Map<String, Tensor> parameters) {
        masks.forEach((name, m) -> {
            Tensor p = parameters.get(name);
            if (p == null || p.size() != m.length) {
                throw new InvalidInputException("mask for '" + name + "' does not match a parameter of the model"
                        + (p == null ? "" : " (parameter has shape " + p.shape() + ", mask " + shapes.get(name).shape() + ")"));
            }
        });
    }

    @Override
    public void beforeStep(Map<String, Tensor> parameters, Map<String, Tensor> gradients, long step) {
        check(parameters);
        masks.forEach((name, m) -> {
            zero(parameters.get(name).floats(), m);
            Tensor g = gradients.get(name);
            if (g != null) {
                zero(g.floats(), m);
            }
        });
    }

    @Override
    public void afterStep(Map<String, Tensor> parameters, long step) {
        check(parameters);
        masks.forEach((name, m) -> zero(parameters.get(name).floats(), m));
    }

    private static void zero(float[] a, float[] mask) {
        for (int i = 0; i < a.length; i++) {
            if (mask[i] == 0) {
                a[i] = 0f;
            }
        }
    }

    @Override
    public Map<String, Tensor> state() {
        return masks();
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        masks.clear();
        shapes.clear();
        state.forEach((k, v) -> {
            masks.put(k, v.floats().clone());
            shapes.put(k, v);
        });
    }

    @Override
    public String describe() {
        return "masks(" + masks.size() + " parameters, sparsity=" + String.format(java.util.Locale.ROOT, "%.4f", sparsity()) + ")";
    }
}
