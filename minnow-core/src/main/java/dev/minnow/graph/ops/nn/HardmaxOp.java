package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Hardmax (opset 13): 1 at the first maximum along axis (default -1), 0 elsewhere; for models
 * of opset < 13 (attribute _opset) default axis 1 over the input flattened to 2-D there.
 * Piecewise constant, so it has no useful gradient and is not differentiable here.
 */
public final class HardmaxOp extends NnOp {
    private final long axisAttr;
    private final boolean legacy;

    public HardmaxOp(Attributes attrs) {
        super("Hardmax", attrs);
        this.legacy = opset() < 13;
        this.axisAttr = this.attrs.getInt("axis", legacy ? 1 : -1);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "input");
        requireFloating(x, "input");
        requireRank(x, 1, "input");
        axis(axisAttr, x.shape().rank());
        return List.of(x);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] split = axisSplit(x.shape(), axisAttr, legacy);
        int len = split[1];
        int inner = split[2];
        int rows = split[0] * inner;
        float[] xv = f32(x);
        float[] y = new float[xv.length];
        for (int r = 0; r < rows; r++) {
            int base = (r / inner) * len * inner + r % inner;
            int best = base;
            for (int j = 1; j < len; j++) {
                if (xv[base + j * inner] > xv[best]) {
                    best = base + j * inner;
                }
            }
            if (len > 0) {
                y[best] = 1;
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), y)};
    }
}
