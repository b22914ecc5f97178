package dev.minnow.onnx.passes;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Drops nodes and initializers that no graph output depends on. Graph inputs stay (they are the interface). */
public final class DeadNodeRemoval {
    private DeadNodeRemoval() {
    }

    /** Returns how many nodes were removed. The graph must be in topological order (validated). */
    public static int apply(Graph g) {
        Set<String> needed = new HashSet<>();
        for (Value v : g.outputs()) {
            needed.add(v.name());
        }
        List<Node> kept = new ArrayList<>();
        List<Node> nodes = g.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(needed::contains)) {
                kept.add(n);
                needed.addAll(n.inputs());
            }
        }
        Collections.reverse(kept);
        int removed = nodes.size() - kept.size();
        g.setNodes(kept);
        g.initializers().keySet().removeIf(k -> !needed.contains(k));
        return removed;
    }
}
