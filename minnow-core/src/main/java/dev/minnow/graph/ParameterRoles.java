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
 * variance. The rule is the ops' {@link InputRole}s: WEIGHT and BIAS slots hold weights.
 */
public final class ParameterRoles {
    private ParameterRoles() {
    }

    /** Whether input {@code index} of node holds a weight: its {@link InputRole} is a parameter role. */
    public static boolean isWeightSlot(Graph g, Node n, int index) {
        return InputRole.of(g, n, index).isParameter();
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
                (isWeightSlot(g, n, i) ? weight : notWeight).add(in.get(i));
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
