package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Trilu(input, k?): keeps the upper (upper=1, default) or lower triangle of the last two
 * dims, shifted by diagonal k; everything else becomes 0.
 */
final class Trilu extends IndexMapOp {
    private final boolean upper;

    Trilu(Attributes a) {
        super("Trilu", a);
        upper = a.getInt("upper", 1) != 0;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (x.shape().rank() < 2) {
            throw shapeError("input must have rank 2 or more, got " + x.shape());
        }
        return List.of(x);
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape s = inputs[0].shape();
        Tensor kt = input(inputs, 1);
        long k = kt == null ? 0 : kt.getLong(0);
        int rows = s.dim(-2);
        int cols = s.dim(-1);
        int[] map = new int[s.sizeInt()];
        for (int i = 0; i < map.length; i++) {
            long r = (i / cols) % rows;
            long c = i % cols;
            boolean keep = upper ? c - r >= k : c - r <= k;
            map[i] = keep ? i : -1;
        }
        return new Plan(s, map);
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
