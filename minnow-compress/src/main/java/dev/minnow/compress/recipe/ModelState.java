package dev.minnow.compress.recipe;

import dev.minnow.graph.Graph;
import dev.minnow.train.MaskConstraint;
import java.util.Map;

/**
 * The model as it passes from step to step: the graph, the pruning masks later training must
 * hold (empty when none), and the bit width of weights a quantizing step has narrowed (the size
 * hook: a weight not listed counts 32 bits).
 */
public record ModelState(Graph graph, MaskConstraint masks, Map<String, Integer> weightBits) {
    public ModelState {
        weightBits = Map.copyOf(weightBits);
    }

    public static ModelState of(Graph g) {
        return new ModelState(g, MaskConstraint.of(Map.of()), Map.of());
    }

    public ModelState withGraph(Graph g) {
        return new ModelState(g, masks, weightBits);
    }
}
