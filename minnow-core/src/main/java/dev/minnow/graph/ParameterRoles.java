package dev.minnow.graph;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which initializers are weights (the trainer's default parameters and what {@code info}
 * counts) and which are settings or statistics: Clip bounds, Dropout ratios, quantization
 * scales and zero points, Resize scales, Pad values, BatchNormalization running mean and
 * variance. The rule lives here only, so that it can be switched to per-op input roles later.
 */
public final class ParameterRoles {
    private ParameterRoles() {
    }

    /** Inputs that configure an op or hold running statistics, by op type (input indexes). */
    private static final Map<String, Set<Integer>> NOT_WEIGHTS = Map.of(
            "Clip", Set.of(1, 2),
            "Dropout", Set.of(1, 2),
            "QuantizeLinear", Set.of(1, 2),
            "DequantizeLinear", Set.of(1, 2),
            "BatchNormalization", Set.of(3, 4),
            "Resize", Set.of(1, 2, 3),
            "Upsample", Set.of(1),
            "Pad", Set.of(1, 2, 3),
            "Range", Set.of(0, 1, 2));

    /** Whether input {@code index} of node holds a weight when it holds tensor t (rank-0 constants never do). */
    public static boolean isWeightSlot(Node n, int index, Tensor t) {
        if (t.shape().rank() == 0) {
            return false;
        }
        Set<Integer> not = NOT_WEIGHTS.get(n.opType());
        return not == null || !not.contains(index);
    }

    /**
     * The graph's weights in initializer order: float32 initializers of rank 1 or more that some
     * node reads and that no node reads as a setting or statistic.
     */
    public static Set<String> weights(Graph g) {
        Map<String, Tensor> inits = g.initializers();
        Set<String> weight = new LinkedHashSet<>();
        Set<String> notWeight = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            List<String> in = n.inputs();
            for (int i = 0; i < in.size(); i++) {
                Tensor t = inits.get(in.get(i));
                if (t == null || t.dtype() != DType.FLOAT32) {
                    continue;
                }
                (isWeightSlot(n, i, t) ? weight : notWeight).add(in.get(i));
            }
        }
        Set<String> r = new LinkedHashSet<>();
        for (String k : inits.keySet()) {
            if (weight.contains(k) && !notWeight.contains(k)) {
                r.add(k);
            }
        }
        return r;
    }

    /**
     * Parameters that conventionally get no weight decay: normalization scales and biases
     * (inputs 1 and 2 of BatchNormalization, LayerNormalization, InstanceNormalization) and
     * single-element tensors (a learnable clip value or quantization step).
     */
    public static boolean isNormOrScale(Graph g, String name) {
        Tensor t = g.initializers().get(name);
        if (t == null) {
            return false;
        }
        if (t.size() == 1) {
            return true;
        }
        for (Node n : g.consumers(name)) {
            String op = n.opType();
            if (op.equals("BatchNormalization") || op.equals("LayerNormalization") || op.equals("InstanceNormalization")) {
                int i = n.inputs().indexOf(name);
                if (i == 1 || i == 2) {
                    return true;
                }
            }
        }
        return false;
    }
}
