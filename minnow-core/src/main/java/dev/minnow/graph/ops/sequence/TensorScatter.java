package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.graph.ops.tensor.Concat;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * TensorScatter(past_cache, update, write_indices?) (opset 24): a copy of the cache with the
 * update's steps written along axis (default -2) from write_indices[batch] (default 0),
 * wrapping around in mode circular. Backward splits the gradient between the cache (where
 * not overwritten) and the update.
 */
final class TensorScatter extends AbstractOp {
    private final long axisAttr;
    private final boolean circular;

    TensorScatter(Attributes a) {
        super("TensorScatter", a);
        axisAttr = a.getInt("axis", -2);
        String mode = a.getString("mode", "linear");
        if (!mode.equals("linear") && !mode.equals("circular")) {
            throw unsupported("mode", mode, "linear, circular");
        }
        circular = mode.equals("circular");
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        required(inputs, 1);
        return List.of(required(inputs, 0));
    }

    /** For each output element, its source in [cache..., update...] (flat). */
    private int[] map(Tensor cache, Tensor update, Tensor writeIndices) {
        int[] d = cache.shape().dims();
        int ax = axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int perBatch = ax == 0 ? outer : outer / d[0];
        int max = d[ax];
        int seq = update.shape().dim(ax);
        long[] w = writeIndices == null ? new long[Math.max(d[0], 1)] : Elems.longs(writeIndices);
        int[] map = IndexMapOp.identity(cache.size());
        for (int o = 0; o < outer; o++) {
            int batch = ax == 0 ? 0 : o / perBatch;
            for (int s = 0; s < seq; s++) {
                long t = w[batch] + s;
                if (circular) {
                    t = Math.floorMod(t, max);
                }
                if (t < 0 || t >= max) {
                    throw shapeError("write position " + t + " is outside the cache length " + max);
                }
                for (int i = 0; i < inner; i++) {
                    map[(int) ((o * (long) max + t) * inner + i)] = cache.size() + (o * seq + s) * inner + i;
                }
            }
        }
        return map;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor cache = inputs[0];
        Tensor update = inputs[1];
        Tensor both = new Concat(Attributes.of("axis", 0L)).forward(ctx,
                new Tensor[] {cache.reshape(Shape.of(cache.size())), update.reshape(Shape.of(update.size()))})[0];
        return new Tensor[] {Elems.gather(both, map(cache, update, input(inputs, 2)), cache.shape(), 0)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor cache = inputs[0];
        if (gradOutputs[0] == null || cache.dtype() != DType.FLOAT32) {
            return r;
        }
        int[] map = map(cache, inputs[1], input(inputs, 2));
        float[] g = Elems.scatterAdd(gradOutputs[0].floats(), map, cache.size() + inputs[1].size());
        r[0] = Elems.f32(cache.shape(), java.util.Arrays.copyOfRange(g, 0, cache.size()));
        r[1] = Elems.f32(inputs[1].shape(), java.util.Arrays.copyOfRange(g, cache.size(), g.length));
        return r;
    }
}
