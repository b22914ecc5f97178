package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Tile(input, repeats): output dim i is input dim i times repeats[i]. */
final class Tile extends IndexMapOp {
    Tile(Attributes a) {
        super("Tile", a);
    }

    private Shape out(Shape in, long[] reps) {
        if (reps.length != in.rank()) {
            throw shapeError("repeats has " + reps.length + " entries for an input of rank " + in.rank());
        }
        int[] d = in.dims();
        for (int i = 0; i < d.length; i++) {
            if (reps[i] < 0) {
                throw shapeError("negative repeat " + reps[i]);
            }
            if (d[i] > 0 && reps[i] > Integer.MAX_VALUE / d[i]) {
                throw shapeError("repeat " + reps[i] + " makes axis " + i + " of size " + d[i] + " larger than "
                        + Integer.MAX_VALUE);
            }
            d[i] = d[i] < 0 ? -1 : (int) (d[i] * reps[i]);
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor r = constant(constants, 1);
        if (r == null) {
            int[] d = new int[x.shape().rank()];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            return List.of(new TensorType(x.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(x.dtype(), out(x.shape(), Elems.longs(r))));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        if (inputs.length < 2 || inputs[1] == null) {
            throw shapeError("repeats is a required input");
        }
        Shape o = out(in, Elems.longs(inputs[1]));
        return axisPlan(o.dims(), in.strides(), (d, c) -> c % in.dim(d));
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
