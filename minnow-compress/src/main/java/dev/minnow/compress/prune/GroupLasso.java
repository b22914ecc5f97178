package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Regularizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Structured sparsity learning (Wen et al. 2016): a group-lasso penalty
 * {@code strength * sum over channel classes of ||w_class||_2}, where a class's weights are every
 * parameter slice that makes its channel (conv rows, biases, batch-norm scale and shift), so
 * training drives whole channels to zero together through residual and concat couplings; the
 * zero channels are then removed by {@link ChannelPruning}. Gradient: strength * w / ||w_class||
 * (0 for a class already at zero).
 */
public final class GroupLasso implements Regularizer {
    private final double strength;
    /** Per class: the source slices (initializer, axis, index). */
    private final List<List<ChannelDependencies.Binding>> classes = new ArrayList<>();

    public GroupLasso(ChannelDependencies deps, double strength) {
        if (!(strength >= 0) || Double.isInfinite(strength)) {
            throw new InvalidInputException("group lasso strength must be zero or positive, got " + strength);
        }
        this.strength = strength;
        for (ChannelGroup g : deps.prunableGroups()) {
            for (ChannelClass c : g.classes()) {
                if (c.removable()) {
                    classes.add(c.bindings().stream().filter(ChannelDependencies.Binding::source).toList());
                }
            }
        }
    }

    /** Sum over the removable channel classes of the L2 norm of their source slices (what the penalty weighs). */
    public static double classNormSum(ChannelDependencies deps, dev.minnow.graph.Graph g) {
        GroupLasso probe = new GroupLasso(deps, 0);
        double total = 0;
        for (List<ChannelDependencies.Binding> cls : probe.classes) {
            double sq = 0;
            for (ChannelDependencies.Binding b : cls) {
                Tensor t = g.initializers().get(b.initializer());
                if (t != null) {
                    sq += slice(t, b, null, 0);
                }
            }
            total += Math.sqrt(sq);
        }
        return total;
    }

    @Override
    public double apply(Map<String, Tensor> parameters, Map<String, Tensor> gradients) {
        double total = 0;
        for (List<ChannelDependencies.Binding> cls : classes) {
            double sq = 0;
            for (ChannelDependencies.Binding b : cls) {
                Tensor t = parameters.get(b.initializer());
                if (t != null) {
                    sq += slice(t, b, null, 0);
                }
            }
            double norm = Math.sqrt(sq);
            total += norm;
            if (norm == 0) {
                continue;
            }
            for (ChannelDependencies.Binding b : cls) {
                Tensor t = parameters.get(b.initializer());
                if (t != null) {
                    Tensor g = gradients.computeIfAbsent(b.initializer(), k -> Tensor.zeros(t.shape()));
                    slice(t, b, g.floats(), strength / norm);
                }
            }
        }
        return strength * total;
    }

    /** Sum of squares of the slice; when grad is given, adds scale * w into it. */
    private static double slice(Tensor t, ChannelDependencies.Binding b, float[] grad, double scale) {
        AxisSlice sl = AxisSlice.of(t, b.axis(), b.index());
        float[] w = t.floats();
        double s = 0;
        for (int a = 0; a < sl.outer(); a++) {
            for (int k = sl.start(a), end = k + sl.inner(); k < end; k++) {
                s += (double) w[k] * w[k];
                if (grad != null) {
                    grad[k] += (float) (scale * w[k]);
                }
            }
        }
        return s;
    }

    @Override
    public String describe() {
        return "group-lasso(" + strength + ", " + classes.size() + " channels)";
    }
}
