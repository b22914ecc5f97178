package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** NonZero(X): int64 [rank, count] coordinates of the non-zero elements, in row-major order. */
final class NonZero extends AbstractOp {
    NonZero(Attributes a) {
        super("NonZero", a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(new TensorType(DType.INT64, Shape.of(required(inputs, 0).shape().rank(), Shape.UNKNOWN)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        double[] v = Elems.doubles(x);
        int rank = x.shape().rank();
        int[] st = x.shape().strides();
        int count = 0;
        for (double d : v) {
            count += d != 0 ? 1 : 0;
        }
        long[] out = new long[rank * count];
        int k = 0;
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0) {
                for (int d = 0; d < rank; d++) {
                    out[d * count + k] = (i / st[d]) % x.shape().dim(d);
                }
                k++;
            }
        }
        return new Tensor[] {Tensor.wrap(DType.INT64, Shape.of(rank, count), out)};
    }
}
