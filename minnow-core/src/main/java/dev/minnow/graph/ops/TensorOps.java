package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/** Element-wise math and activations, comparisons, reductions, and shape and indexing ops. */
public final class TensorOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
    }
}
