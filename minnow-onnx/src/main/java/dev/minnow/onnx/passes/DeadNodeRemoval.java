package dev.minnow.onnx.passes;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Drops nodes and initializers that no graph output depends on ({@link GraphEditor#removeUnused}).
 * Graph inputs stay (they are the interface). Needs a valid graph, so that a model broken in a
 * part no output needs is still reported rather than silently trimmed.
 */
public final class DeadNodeRemoval implements GraphPass {
    @Override
    public String name() {
        return "dead-node-removal";
    }

    /** Returns how many nodes were removed. */
    public static int apply(Graph g) {
        return (int) new DeadNodeRemoval().apply(new GraphEditor(g)).count("nodes_removed");
    }

    /** Counts "nodes_removed" and "initializers_removed", with one change line for each. */
    @Override
    public PassRecord apply(GraphEditor e) {
        List<Node> before = List.copyOf(e.graph().nodes());
        List<String> initializersBefore = e.initializerNames();
        int removed = e.removeUnused();
        PassRecord.Builder record = PassRecord.of(name()).count("nodes_removed", removed)
                .count("initializers_removed", initializersBefore.size() - e.graph().initializers().size());
        Set<Node> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(e.graph().nodes());
        for (Node n : before) {
            if (!kept.contains(n)) {
                record.change("removed " + n.opType() + " '" + n.name() + "'");
            }
        }
        for (String name : initializersBefore) {
            if (e.initializer(name) == null) {
                record.change("removed initializer '" + name + "'");
            }
        }
        return record.build();
    }
}
