package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** EyeLike(input): a 2-D tensor of the input's shape with ones on diagonal k, in dtype (default: the input's). */
final class EyeLike extends AbstractOp {
    private final long k;
    private final DType dtype;

    EyeLike(Attributes a) {
        super("EyeLike", a);
        k = a.getInt("k", 0);
        dtype = dtypeAttribute("dtype", null);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (x.shape().rank() != 2) {
            throw shapeError("input must be 2-D, got " + x.shape());
        }
        return List.of(new TensorType(dtype == null ? x.dtype() : dtype, x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int rows = x.shape().dim(0);
        int cols = x.shape().dim(1);
        double[] v = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            long c = r + k;
            if (c >= 0 && c < cols) {
                v[(int) (r * cols + c)] = 1;
            }
        }
        return new Tensor[] {Elems.fromDoubles(dtype == null ? x.dtype() : dtype, x.shape(), v)};
    }
}
