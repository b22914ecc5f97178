package dev.minnow.graph;

import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Computes {@link OpCost} records from a graph's inferred types (docs/COST.md). Unknown dims
 * (the batch) count as 1, as in {@link Graph#nodeMacs}. The graph must be validated; use
 * {@link #nodeCosts} on an edited graph, which validates it first.
 */
public final class CostModel {
    private CostModel() {
    }

    /**
     * One node's cost on its own: its params are every floating WEIGHT and BIAS initializer it
     * reads, even one another node also reads (see {@link #nodeCosts} for counting them once).
     */
    public static OpCost nodeCost(Graph g, Node n) {
        return cost(g, n, null);
    }

    /**
     * Every node's cost in node order, validating the graph first when it was edited. A shared
     * initializer's params count at its first reader only, so the params sum to the model's.
     */
    public static List<OpCost> nodeCosts(Graph g) {
        if (!g.isValidated()) {
            g.validate();
        }
        Set<String> counted = new HashSet<>();
        List<OpCost> r = new ArrayList<>(g.nodes().size());
        for (Node n : g.nodes()) {
            r.add(cost(g, n, counted));
        }
        return r;
    }

    /** The sum of {@link #nodeCosts}. */
    public static OpCost total(Graph g) {
        OpCost t = OpCost.ZERO;
        for (OpCost c : nodeCosts(g)) {
            t = t.plus(c);
        }
        return t;
    }

    /** Learnable parameters of the whole graph: floating WEIGHT and BIAS initializers, each once. */
    public static long params(Graph g) {
        return total(g).params();
    }

    private static OpCost cost(Graph g, Node n, Set<String> counted) {
        long params = 0;
        long read = 0;
        for (int i = 0; i < n.inputs().size(); i++) {
            String in = n.inputs().get(i);
            if (in.isEmpty()) {
                continue;
            }
            read += tensorBytes(g.type(in));
            Tensor t = g.initializers().get(in);
            if (t != null && t.dtype().isFloating() && InputRole.of(g, n, i).isParameter()
                    && (counted == null || counted.add(in))) {
                params += t.size();
            }
        }
        long written = 0;
        for (String out : n.outputs()) {
            if (!out.isEmpty()) {
                written += tensorBytes(g.type(out));
            }
        }
        return new OpCost(g.nodeMacs(n), params, read, written);
    }

    /** Bytes of a tensor of this type with unknown dims taken as 1; 0 when the type is unknown. */
    public static long tensorBytes(TensorType t) {
        TensorType b = Graph.batchOne(t);
        return b == null ? 0 : b.shape().size() * b.dtype().bytes;
    }
}
