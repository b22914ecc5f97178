package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/** Neural-network ops: convolution, pooling, dense, normalization, dropout, softmax, recurrent and quantized ops. */
public final class NnOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
    }
}
