package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** ONNX InstanceNormalization (opset 6+): per (n, c) plane statistics, scale and B per channel [C]; epsilon 1e-5. */
public final class InstanceNormalizationOp extends BlockNormOp {
    public InstanceNormalizationOp(Attributes attrs) {
        super("InstanceNormalization", attrs);
    }

    @Override
    Layout layout(Shape x, Tensor scale) {
        int[] d = x.dims();
        int s = prod(d, 2, d.length);
        return new Layout(d[0] * d[1], s, d[1], 1, Math.max(1, s));
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "input");
        requireRank(x, 3, "input");
        requireFloating(x, "input");
        int c = x.shape().dim(1);
        for (int i = 1; i < 3; i++) {
            TensorType t = required(in, i, i == 1 ? "scale" : "B");
            if (t.shape().rank() != 1 || (c >= 0 && t.shape().dim(0) >= 0 && t.shape().dim(0) != c)) {
                throw new ShapeException(type + ": " + (i == 1 ? "scale " : "B ") + t.shape() + " must be [" + c + "]");
            }
        }
        return List.of(x);
    }
}
