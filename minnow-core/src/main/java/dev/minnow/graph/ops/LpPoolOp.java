package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.Tensor;

/** ONNX LpPool (opset 18+): (sum |x|^p)^(1/p) over each window, p an integer attribute (default 2). */
public final class LpPoolOp extends PoolOp {
    private final float p;

    public LpPoolOp(Attributes attrs) {
        super("LpPool", attrs);
        long pv = this.attrs.getInt("p", 2);
        if (pv < 1) {
            throw unsupported("p", pv, "an integer >= 1");
        }
        this.p = pv;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] y = new float[g.outputSize()];
        Pool.lpForward(g, f32(x), y, p);
        return new Tensor[] {out(x.dtype(), outShape(x.shape()), y)};
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] dx = new float[g.inputSize()];
        Pool.lpBackward(g, f32(x), f32(outputs[0]), f32(gradOutputs[0]), dx, p);
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
