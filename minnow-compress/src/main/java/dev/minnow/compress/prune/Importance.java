package dev.minnow.compress.prune;

import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * How much a channel class matters; low scores are pruned first. Scores of one group are
 * compared with each other only (a group's classes are scored by the same parameters).
 */
@FunctionalInterface
public interface Importance {
    /** One score per class of the group, in the group's order. */
    double[] scores(Graph graph, ChannelGroup group);

    /** Sum over the class's source slices (weight rows, biases) of |w|: the L1 norm filter pruning uses. */
    static Importance l1() {
        return norm(1);
    }

    /** Euclidean norm of the class's source slices. */
    static Importance l2() {
        return norm(2);
    }

    /**
     * Network slimming: |gamma| of the batch norms on the class's channels, summed; classes
     * without a batch norm score by L1 instead (so a group is never scored half by one rule).
     */
    static Importance bnScale() {
        return (graph, group) -> {
            double[] r = new double[group.size()];
            boolean any = false;
            for (int i = 0; i < r.length; i++) {
                for (ChannelDependencies.Binding b : group.classes().get(i).bindings()) {
                    if (b.node().opType().equals("BatchNormalization") && b.node().input(1).equals(b.initializer())) {
                        r[i] += Math.abs(graph.initializers().get(b.initializer()).floats()[b.index()]);
                        any = true;
                    }
                }
            }
            return any ? r : l1().scores(graph, group);
        };
    }

    private static Importance norm(int p) {
        return (graph, group) -> {
            List<ChannelClass> classes = group.classes();
            double[] r = new double[classes.size()];
            for (int i = 0; i < r.length; i++) {
                double s = 0;
                for (ChannelDependencies.Binding b : classes.get(i).bindings()) {
                    if (!b.source() || b.node().opType().equals("BatchNormalization")) {
                        continue;
                    }
                    s += sliceNorm(graph.initializers().get(b.initializer()), b.axis(), b.index(), p);
                }
                r[i] = p == 2 ? Math.sqrt(s) : s;
            }
            return r;
        };
    }

    /** Sum of |x|^p over index {@code index} of axis {@code axis}. */
    private static double sliceNorm(Tensor t, int axis, int index, int p) {
        AxisSlice sl = AxisSlice.of(t, axis, index);
        float[] x = t.floats();
        double s = 0;
        for (int a = 0; a < sl.outer(); a++) {
            for (int k = sl.start(a), end = k + sl.inner(); k < end; k++) {
                double v = Math.abs(x[k]);
                s += p == 1 ? v : v * v;
            }
        }
        return s;
    }
}
