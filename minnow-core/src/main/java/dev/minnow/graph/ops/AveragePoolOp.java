package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.Tensor;

/**
 * ONNX AveragePool (opset 19+): mean over each window; the divisor counts padded positions
 * only when count_include_pad = 1 (default 0).
 */
public final class AveragePoolOp extends PoolOp {
    private final boolean countIncludePad;

    public AveragePoolOp(Attributes attrs) {
        super("AveragePool", attrs);
        long c = this.attrs.getInt("count_include_pad", 0);
        if (c != 0 && c != 1) {
            throw unsupported("count_include_pad", c, "0 or 1");
        }
        this.countIncludePad = c == 1;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] y = new float[g.outputSize()];
        Pool.avgForward(g, f32(x), y, countIncludePad);
        return new Tensor[] {out(x.dtype(), outShape(x.shape()), y)};
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] dx = new float[g.inputSize()];
        Pool.avgBackward(g, f32(gradOutputs[0]), dx, countIncludePad);
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
