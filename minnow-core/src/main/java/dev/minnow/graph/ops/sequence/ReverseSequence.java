package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ReverseSequence(input, sequence_lens): for each batch entry b (batch_axis, default 1), the
 * first sequence_lens[b] steps along time_axis (default 0) are reversed; the rest are copied.
 */
final class ReverseSequence extends IndexMapOp {
    private final long batchAxis;
    private final long timeAxis;

    ReverseSequence(Attributes a) {
        super("ReverseSequence", a);
        batchAxis = a.getInt("batch_axis", 1);
        timeAxis = a.getInt("time_axis", 0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(required(inputs, 0));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape s = inputs[0].shape();
        int b = axis(batchAxis, s.rank());
        int t = axis(timeAxis, s.rank());
        long[] lens = Elems.longs(inputs[1]);
        int[] st = s.strides();
        int[] map = new int[s.sizeInt()];
        for (int i = 0; i < map.length; i++) {
            int bi = (i / st[b]) % s.dim(b);
            int ti = (i / st[t]) % s.dim(t);
            int len = (int) Math.min(lens[bi], s.dim(t));
            map[i] = ti < len ? i + (len - 1 - 2 * ti) * st[t] : i;
        }
        return new Plan(s, map);
    }
}
