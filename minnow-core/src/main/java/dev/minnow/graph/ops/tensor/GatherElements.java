package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * GatherElements(data, indices, axis=0): output has the indices' shape; out[i][j][k] reads
 * data with the coordinate on axis replaced by indices[i][j][k] (negative: from the end).
 */
final class GatherElements extends IndexMapOp {
    private final long axisAttr;

    GatherElements(Attributes a) {
        super("GatherElements", a);
        axisAttr = a.getInt("axis", 0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        TensorType idx = required(inputs, 1);
        if (idx.shape().rank() != x.shape().rank()) {
            throw shapeError("indices " + idx.shape() + " must have the rank of data " + x.shape());
        }
        return List.of(new TensorType(x.dtype(), idx.shape()));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        Tensor indices = inputs[1];
        int rank = in.rank();
        int ax = axis(axisAttr, rank);
        int[] inStrides = in.strides();
        int[] od = indices.shape().dims();
        long[] idx = Elems.longs(indices);
        int[] map = new int[idx.length];
        int[] c = new int[rank];
        int n = in.dim(ax);
        for (int i = 0; i < idx.length; i++) {
            long j = idx[i] < 0 ? idx[i] + n : idx[i];
            if (j < 0 || j >= n) {
                throw shapeError("index " + idx[i] + " is out of range for axis " + ax + " of size " + n);
            }
            int off = 0;
            for (int d = 0; d < rank; d++) {
                off += (d == ax ? (int) j : c[d]) * inStrides[d];
            }
            map[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++c[d] < od[d]) {
                    break;
                }
                c[d] = 0;
            }
        }
        return new Plan(indices.shape(), map);
    }
}
