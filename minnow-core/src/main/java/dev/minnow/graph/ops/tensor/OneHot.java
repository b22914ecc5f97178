package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * OneHot(indices, depth, values=[off, on], axis=-1): a new axis of length depth holding on
 * at the index and off elsewhere; negative indices count from depth, others out of range
 * give all off. The output has the values' element type.
 */
final class OneHot extends AbstractOp {
    private final long axisAttr;

    OneHot(Attributes a) {
        super("OneHot", a);
        axisAttr = a.getInt("axis", -1);
    }

    private Shape out(Shape idx, int depth) {
        int rank = idx.rank() + 1;
        int ax = axis(axisAttr, rank);
        int[] d = new int[rank];
        for (int i = 0, k = 0; i < rank; i++) {
            d[i] = i == ax ? depth : idx.dim(k++);
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType idx = required(inputs, 0);
        Tensor depth = constant(constants, 1);
        return List.of(new TensorType(required(inputs, 2).dtype(), out(idx.shape(),
                depth == null ? Shape.UNKNOWN : (int) depth.getDouble(0))));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor indices = inputs[0];
        int depth = (int) inputs[1].getDouble(0);
        Tensor values = inputs[2];
        Shape s = out(indices.shape(), depth);
        int ax = axis(axisAttr, s.rank());
        int inner = ReshapeLike.product(s.dims(), ax + 1, s.rank());
        double[] idx = Elems.doubles(indices);
        double off = values.getDouble(0);
        double on = values.getDouble(1);
        double[] out = new double[s.sizeInt()];
        java.util.Arrays.fill(out, off);
        for (int i = 0; i < idx.length; i++) {
            long j = (long) idx[i];
            j = j < 0 ? j + depth : j;
            if (j >= 0 && j < depth) {
                int o = i / inner;
                int in = i % inner;
                out[(o * depth + (int) j) * inner + in] = on;
            }
        }
        return new Tensor[] {Elems.fromDoubles(values.dtype(), s, out)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
