package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/** Element-wise math and activations, comparisons, reductions, and shape and indexing ops. */
public final class TensorOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        UnaryOps.register(r);
        BinaryOp.register(r);
        r.register("Clip", Clip::new);
        r.register("Flatten", Flatten::new);
        r.register("Reshape", Reshape::new);
        r.register("Identity", Identity::new);
        r.register("Concat", Concat::new);
        r.register("Constant", Constant::new);
    }
}
