package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX MaxPool (opset 12+): max over each window (padding never wins). Optional second
 * output Indices (int64): flat index of the chosen element in the input, spatial part
 * row-major (storage_order 0) or column-major (storage_order 1). Integer inputs (int8,
 * uint8) are pooled exactly through float32. Backward routes dy to the argmax.
 */
public final class MaxPoolOp extends PoolOp {
    private final int storageOrder;

    public MaxPoolOp(Attributes attrs) {
        super("MaxPool", attrs);
        long so = this.attrs.getInt("storage_order", 0);
        if (so != 0 && so != 1) {
            throw unsupported("storage_order", so, "0 or 1");
        }
        this.storageOrder = (int) so;
    }

    @Override
    void checkInputType(TensorType x) {
        DType d = x.dtype();
        if (!d.isFloating() && d != DType.INT8 && d != DType.UINT8) {
            throw new ShapeException(type + ": X must be a float, int8 or uint8 tensor, got " + d.label);
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        List<TensorType> r = super.inferTypes(in, constants);
        r.add(new TensorType(DType.INT64, r.get(0).shape()));
        return r;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        Shape os = outShape(x.shape());
        float[] y = new float[g.outputSize()];
        int[] argmax = new int[g.outputSize()];
        Pool.maxForward(g, f32(x), y, argmax);
        if (ctx != null) {
            ctx.save(argmax);
        }
        return new Tensor[] {out(x.dtype(), os, y), Tensor.ofLongs(os, indices(g, argmax))};
    }

    private long[] indices(PoolGeometry g, int[] argmax) {
        long[] r = new long[argmax.length];
        int hw = g.inH() * g.inW();
        for (int o = 0; o < r.length; o++) {
            int a = argmax[o];
            if (storageOrder == 1 && a >= 0) {
                int d = a / hw;
                int h = (a % hw) / g.inW();
                int w = a % g.inW();
                a = (w * g.inH() + h) * g.inD() + d;
            }
            r[o] = (long) (o / g.outPlane()) * g.inPlane() + a;
        }
        return r;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        int[] argmax = ctx.saved();
        if (argmax == null) {
            argmax = new int[g.outputSize()];
            Pool.maxForward(g, f32(x), new float[g.outputSize()], argmax);
        }
        float[] dx = new float[g.inputSize()];
        Pool.maxBackward(g, f32(gradOutputs[0]), argmax, dx);
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
