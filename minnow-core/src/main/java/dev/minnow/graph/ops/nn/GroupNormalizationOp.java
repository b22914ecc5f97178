package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX GroupNormalization (opset 21): statistics over each group of C / num_groups channels
 * (and all spatial positions) per sample; scale and bias are per channel [C], or per group
 * [num_groups] as opset 18-20 had them. epsilon 1e-5.
 */
public final class GroupNormalizationOp extends BlockNormOp {
    private final int groups;

    public GroupNormalizationOp(Attributes attrs) {
        super("GroupNormalization", attrs);
        if (!this.attrs.has("num_groups")) {
            throw new UnsupportedOpException(type + ": attribute num_groups is required");
        }
        long g = this.attrs.getInt("num_groups", 1);
        if (g < 1) {
            throw unsupported("num_groups", g, "an integer >= 1");
        }
        this.groups = (int) g;
    }

    @Override
    Layout layout(Shape x, Tensor scale) {
        int[] d = x.dims();
        int s = prod(d, 2, d.length);
        if (d[1] % groups != 0) {
            throw new ShapeException(type + ": " + d[1] + " channels are not divisible by num_groups " + groups);
        }
        int cpg = d[1] / groups;
        if (scale.size() == groups && groups != d[1]) {
            // opset 18-20: one scale and bias per group
            return new Layout(d[0] * groups, cpg * s, groups, 1, Math.max(1, cpg * s));
        }
        return new Layout(d[0] * groups, cpg * s, groups, cpg, Math.max(1, s));
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireRank(x, 2, "X");
        requireFloating(x, "X");
        int c = x.shape().dim(1);
        if (c >= 0 && c % groups != 0) {
            throw new ShapeException(type + ": " + c + " channels are not divisible by num_groups " + groups);
        }
        for (int i = 1; i < 3; i++) {
            TensorType t = required(in, i, i == 1 ? "scale" : "bias");
            int n = t.shape().rank() == 1 ? t.shape().dim(0) : -2;
            if (n == -2 || (c >= 0 && n >= 0 && n != c && n != groups)) {
                throw new ShapeException(type + ": " + (i == 1 ? "scale " : "bias ") + t.shape() + " must be [" + c
                        + "] (per channel, opset 21) or [" + groups + "] (per group, opset 18)");
            }
        }
        return List.of(x);
    }
}
