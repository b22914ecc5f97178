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
 * Gather(data, indices, axis=0): data[..., indices[j], ...] along axis, output shape
 * data[:axis] + indices.shape + data[axis+1:]; negative indices count from the end.
 * The gradient scatter-adds into data (repeated indices accumulate).
 */
final class Gather extends IndexMapOp {
    private final long axisAttr;

    Gather(Attributes a) {
        super("Gather", a);
        axisAttr = a.getInt("axis", 0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        TensorType idx = required(inputs, 1);
        int ax = axis(axisAttr, x.shape().rank());
        int[] d = x.shape().dims();
        int[] out = new int[d.length - 1 + idx.shape().rank()];
        System.arraycopy(d, 0, out, 0, ax);
        System.arraycopy(idx.shape().dims(), 0, out, ax, idx.shape().rank());
        System.arraycopy(d, ax + 1, out, ax + idx.shape().rank(), d.length - ax - 1);
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        Tensor indices = inputs[1];
        int ax = axis(axisAttr, in.rank());
        int[] d = in.dims();
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int n = d[ax];
        Shape os = inferTypes(List.of(new TensorType(inputs[0].dtype(), in),
                new TensorType(indices.dtype(), indices.shape())), null).get(0).shape();
        int[] map = new int[checkedElements(os.dims(), Integer.BYTES, "the index map of the output")];
        long[] idx = Elems.longs(indices);
        int k = 0;
        for (int o = 0; o < outer; o++) {
            for (long j : idx) {
                long jj = j < 0 ? j + n : j;
                if (jj < 0 || jj >= n) {
                    throw shapeError("index " + j + " is out of range for axis " + ax + " of size " + n);
                }
                int base = (int) ((o * (long) n + jj) * inner);
                for (int i = 0; i < inner; i++) {
                    map[k++] = base + i;
                }
            }
        }
        return new Plan(os, map);
    }
}
