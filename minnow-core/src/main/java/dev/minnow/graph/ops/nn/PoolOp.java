package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared part of MaxPool, AveragePool and LpPool: window attributes, output shape
 * [N, C, out...] for 1 to 3 spatial dimensions, and the kernel geometry. Pooling costs
 * 0 MACs by convention (no weights are multiplied).
 */
abstract class PoolOp extends NnOp {
    final Window window;

    PoolOp(String type, Attributes attrs) {
        super(type, attrs);
        this.window = new Window(type, this.attrs);
        if (window.kernel == null) {
            throw new UnsupportedOpException(type + ": attribute kernel_shape is required");
        }
    }

    final int[] spatial(Shape s) {
        if (s.rank() < 3 || s.rank() > 5) {
            throw new ShapeException(type + " supports inputs [N, C, D1..Dk] with 1 to 3 spatial dimensions, got " + s);
        }
        int[] d = s.dims();
        int[] r = new int[d.length - 2];
        System.arraycopy(d, 2, r, 0, r.length);
        return r;
    }

    public final Shape outShape(Shape in) {
        Window.Resolved w = window.resolve(spatial(in), null);
        int[] d = new int[in.rank()];
        d[0] = in.dim(0);
        d[1] = in.dim(1);
        System.arraycopy(w.out(), 0, d, 2, w.out().length);
        return Shape.of(d);
    }

    public final PoolGeometry geometry(Shape in) {
        Window.Resolved w = window.resolve(spatial(in), null);
        return PoolGeometry.of(in.dim(0) * in.dim(1), w.in(), w.out(), w.kernel(), w.strides(), w.padBegin(),
                w.padEnd(), w.dilations());
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        checkInputType(x);
        List<TensorType> r = new ArrayList<>();
        r.add(new TensorType(x.dtype(), outShape(x.shape())));
        return r;
    }

    void checkInputType(TensorType x) {
        requireFloating(x, "X");
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /** y (overwritten) from x for averaging-style pools (AveragePool, LpPool). */
    void kernelForward(PoolGeometry g, float[] x, float[] y) {
        throw new IllegalStateException(type + " overrides forward");
    }

    /** dx (overwritten) from x, y and dy for averaging-style pools. */
    void kernelBackward(PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx) {
        throw new IllegalStateException(type + " overrides backward");
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] y = new float[g.outputSize()];
        kernelForward(g, f32(x), y);
        return new Tensor[] {out(x.dtype(), outShape(x.shape()), y)};
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        PoolGeometry g = geometry(x.shape());
        float[] dx = new float[g.inputSize()];
        kernelBackward(g, f32(x), f32(outputs[0]), f32(gradOutputs[0]), dx);
        return gradients(inputs, dx);
    }
}
