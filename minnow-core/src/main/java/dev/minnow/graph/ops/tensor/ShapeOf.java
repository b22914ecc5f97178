package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Shape (int64 dims, optionally dims[start:end], opset 15+) and Size (int64 element count).
 * Not differentiable: their outputs are integers.
 */
final class ShapeOf extends AbstractOp {
    private final boolean size;
    private final long start;
    private final Long end;

    ShapeOf(String type, Attributes a) {
        super(type, a);
        size = type.equals("Size");
        start = a.getInt("start", 0);
        end = a.has("end") ? a.getInt("end", 0) : null;
    }

    private int[] range(int rank) {
        long s = start < 0 ? start + rank : start;
        long e = end == null ? rank : end < 0 ? end + rank : end;
        s = Math.clamp(s, 0, rank);
        e = Math.clamp(e, 0, rank);
        return new int[] {(int) s, (int) Math.max(s, e)};
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (size) {
            return List.of(new TensorType(DType.INT64, Shape.scalar()));
        }
        int[] r = range(x.shape().rank());
        return List.of(new TensorType(DType.INT64, Shape.of(r[1] - r[0])));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Shape s = inputs[0].shape();
        if (size) {
            return new Tensor[] {Tensor.wrap(DType.INT64, Shape.scalar(), new long[] {s.size()})};
        }
        int[] r = range(s.rank());
        long[] d = java.util.Arrays.copyOfRange(s.dimsLong(), r[0], r[1]);
        return new Tensor[] {Tensor.ofLongs(Shape.of(d.length), d)};
    }
}
