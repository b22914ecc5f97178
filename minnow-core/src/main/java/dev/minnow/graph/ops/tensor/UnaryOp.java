package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * An element-wise op y = f(x) given by two functions: the forward value and the local
 * derivative dy/dx written in terms of x and y (so sigmoid can reuse y). The functions are
 * evaluated in double precision and rounded to the element type; float32 takes a direct
 * path. The concrete ops and their attributes live in {@link UnaryOps}.
 * MACs: 0 (element-wise; docs/COST.md).
 */
final class UnaryOp extends AbstractOp {
    @FunctionalInterface
    interface Fn {
        double apply(double x);
    }

    @FunctionalInterface
    interface Derivative {
        double apply(double x, double y);
    }

    /** A whole-array float32 forward loop, for hot ops where the per-element function is too slow. */
    @FunctionalInterface
    interface FloatForward {
        void apply(float[] x, float[] y);
    }

    /** A whole-array float32 backward loop: gx from x, y and the output gradient g. */
    @FunctionalInterface
    interface FloatBackward {
        void apply(float[] x, float[] y, float[] g, float[] gx);
    }

    private final Fn f;
    private final Derivative d;
    private final boolean floatOnly;
    private final DType outType;
    private final FloatForward fastForward;
    private final FloatBackward fastBackward;

    /** d == null: not differentiable. floatOnly: rejects integer inputs (e.g. Exp, Sigmoid). */
    UnaryOp(String type, Attributes attributes, Fn f, Derivative d, boolean floatOnly) {
        this(type, attributes, f, d, floatOnly, null);
    }

    /** outType: the output element type when it is not the input's (IsNaN gives bool). */
    UnaryOp(String type, Attributes attributes, Fn f, Derivative d, boolean floatOnly, DType outType) {
        this(type, attributes, f, d, floatOnly, outType, null, null);
    }

    /** With float32 loops that replace f and d for float32 tensors (they must compute the same). */
    UnaryOp(String type, Attributes attributes, Fn f, Derivative d, boolean floatOnly, DType outType,
            FloatForward fastForward, FloatBackward fastBackward) {
        super(type, attributes);
        this.f = f;
        this.d = d;
        this.floatOnly = floatOnly;
        this.outType = outType;
        this.fastForward = fastForward;
        this.fastBackward = fastBackward;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (floatOnly) {
            requireFloat(x, "input");
        }
        return List.of(outType == null ? x : new TensorType(outType, x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        if (x.dtype() == DType.FLOAT32 && outType == null) {
            float[] a = x.floats();
            float[] y = new float[a.length];
            if (fastForward != null) {
                fastForward.apply(a, y);
                return new Tensor[] {Elems.f32(x.shape(), y)};
            }
            for (int i = 0; i < a.length; i++) {
                y[i] = (float) f.apply(a[i]);
            }
            return new Tensor[] {Elems.f32(x.shape(), y)};
        }
        double[] a = Elems.doubles(x);
        for (int i = 0; i < a.length; i++) {
            a[i] = f.apply(a[i]);
        }
        return new Tensor[] {Elems.fromDoubles(outType == null ? x.dtype() : outType, x.shape(), a)};
    }

    @Override
    public boolean differentiable() {
        return d != null;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        if (d == null || gradOutputs[0] == null) {
            if (d == null) {
                throw noBackward();
            }
            return new Tensor[1];
        }
        float[] x = inputs[0].floats();
        float[] y = outputs[0].floats();
        float[] g = gradOutputs[0].floats();
        float[] gx = new float[x.length];
        if (fastBackward != null) {
            fastBackward.apply(x, y, g, gx);
            return new Tensor[] {Elems.f32(inputs[0].shape(), gx)};
        }
        for (int i = 0; i < x.length; i++) {
            gx[i] = (float) (g[i] * d.apply(x[i], y[i]));
        }
        return new Tensor[] {Elems.f32(inputs[0].shape(), gx)};
    }
}
