package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ArgMax and ArgMin along axis (default 0), int64 output, keepdims (default 1). Ties go to
 * the first index, or the last with select_last_index=1. Not differentiable.
 */
final class ArgExtreme extends AbstractOp {
    private final boolean max;
    private final long axisAttr;
    private final boolean keepDims;
    private final boolean last;

    ArgExtreme(String type, Attributes a) {
        super(type, a);
        max = type.equals("ArgMax");
        axisAttr = a.getInt("axis", 0);
        keepDims = a.getInt("keepdims", 1) != 0;
        last = a.getInt("select_last_index", 0) != 0;
    }

    private Shape out(Shape in) {
        int ax = axis(axisAttr, in.rank());
        if (keepDims) {
            return in.withDim(ax, 1);
        }
        int[] d = in.dims();
        int[] o = new int[d.length - 1];
        for (int i = 0, k = 0; i < d.length; i++) {
            if (i != ax) {
                o[k++] = d[i];
            }
        }
        return Shape.of(o);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(new TensorType(DType.INT64, out(required(inputs, 0).shape())));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int ax = axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int n = d[ax];
        double[] v = Elems.doubles(x);
        long[] r = new long[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                double bv = v[o * n * inner + i];
                for (int j = 1; j < n; j++) {
                    double c = v[(o * n + j) * inner + i];
                    boolean better = max ? c > bv : c < bv;
                    if (better || last && c == bv) {
                        best = j;
                        bv = c;
                    }
                }
                r[o * inner + i] = best;
            }
        }
        return new Tensor[] {Tensor.wrap(DType.INT64, out(x.shape()), r)};
    }
}
