package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * GatherND(data, indices, batch_dims=0): each index tuple (the last indices dim, length k)
 * picks a slice data[batch..., i1..ik, ...]; output shape indices.shape[:-1] + data.shape[b+k:].
 */
final class GatherND extends IndexMapOp {
    private final int batchDims;

    GatherND(Attributes a) {
        super("GatherND", a);
        batchDims = (int) a.getInt("batch_dims", 0);
    }

    private Shape out(Shape data, Shape idx) {
        int k = idx.dim(-1);
        if (k < 0 || batchDims + k > data.rank()) {
            throw shapeError("index tuples of length " + k + " do not fit data " + data + " with batch_dims " + batchDims);
        }
        int[] i = idx.dims();
        int[] d = data.dims();
        int[] o = new int[i.length - 1 + d.length - batchDims - k];
        System.arraycopy(i, 0, o, 0, i.length - 1);
        System.arraycopy(d, batchDims + k, o, i.length - 1, d.length - batchDims - k);
        return Shape.of(o);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        return List.of(new TensorType(x.dtype(), out(x.shape(), required(inputs, 1).shape())));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape data = inputs[0].shape();
        Shape is = inputs[1].shape();
        long[] idx = Elems.longs(inputs[1]);
        int k = is.dim(-1);
        int[] ds = data.strides();
        int[] dd = data.dims();
        int batches = ReshapeLike.product(dd, 0, batchDims);
        int batchStride = batchDims == 0 ? data.sizeInt() : ds[batchDims - 1];
        int slice = ReshapeLike.product(dd, batchDims + k, dd.length);
        int tuples = idx.length / Math.max(k, 1) / Math.max(batches, 1);
        if (k == 0) {
            tuples = ReshapeLike.product(is.dims(), batchDims, is.rank() - 1);
        }
        int[] map = new int[checkedElements(new int[] {batches, tuples, slice}, Integer.BYTES, "the index map of the output")];
        int m = 0;
        for (int b = 0; b < batches; b++) {
            for (int t = 0; t < tuples; t++) {
                int off = b * batchStride;
                for (int j = 0; j < k; j++) {
                    long v = idx[(b * tuples + t) * k + j];
                    int n = dd[batchDims + j];
                    if (v < -n || v >= n) {
                        throw shapeError("index " + v + " is out of range for a dim of size " + n);
                    }
                    off += (int) (v < 0 ? v + n : v) * ds[batchDims + j];
                }
                for (int s = 0; s < slice; s++) {
                    map[m++] = off + s;
                }
            }
        }
        return new Plan(out(data, is), map);
    }
}
