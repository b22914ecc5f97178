package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Common base of the neural-network ops: the op type, its attributes, and the small checks
 * every op repeats (input counts, float inputs, axis normalisation, attribute errors).
 * Float ops compute in float32; other floating inputs (float16, float64) are converted in
 * and out, so an op is written once.
 */
public abstract class NnOp implements Op {
    protected final String type;
    protected final Attributes attrs;

    protected NnOp(String type, Attributes attrs) {
        this.type = type;
        this.attrs = attrs == null ? new Attributes() : attrs;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Attributes attributes() {
        return attrs;
    }

    /** The error for an attribute value this op does not implement. */
    protected final UnsupportedOpException unsupported(String attribute, Object value, String supported) {
        return new UnsupportedOpException(type + ": attribute " + attribute + "=" + value + " is not supported ("
                + supported + ")");
    }

    /** Input i's type; throws when a required input is missing. */
    protected final TensorType required(List<TensorType> in, int i, String what) {
        if (i >= in.size() || in.get(i) == null) {
            throw new ShapeException(type + " needs input " + i + " (" + what + ")");
        }
        return in.get(i);
    }

    protected static TensorType opt(List<TensorType> in, int i) {
        return i < in.size() ? in.get(i) : null;
    }

    protected static Tensor opt(Tensor[] in, int i) {
        return i < in.length ? in[i] : null;
    }

    protected final void requireRank(TensorType t, int minRank, String what) {
        if (t.shape().rank() < minRank) {
            throw new ShapeException(type + ": " + what + " must have rank >= " + minRank + ", got " + t.shape());
        }
    }

    protected final void requireFloating(TensorType t, String what) {
        if (!t.dtype().isFloating()) {
            throw new ShapeException(type + ": " + what + " must be a floating-point tensor, got " + t.dtype().label);
        }
    }

    /** Normalises a possibly negative axis for a tensor of the given rank. */
    protected final int axis(long axis, int rank) {
        if (axis < -rank || axis >= Math.max(rank, 1)) {
            throw new ShapeException(type + ": axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** The model's opset for this node (attribute _opset, set by the ONNX reader), else the newest. */
    protected final long opset() {
        return attrs.getInt("_opset", Long.MAX_VALUE);
    }

    /**
     * {outer, length, inner} of a softmax-like op along axis. Before opset 13 Softmax, LogSoftmax
     * and Hardmax flattened the input to 2-D at axis and worked on the second dimension.
     */
    protected final int[] axisSplit(Shape s, long axis, boolean flattenTo2d) {
        int[] d = s.dims();
        if (d.length == 0) {
            return new int[] {1, 1, 1};
        }
        int a = axis(axis, d.length);
        return flattenTo2d ? new int[] {prod(d, 0, a), prod(d, a, d.length), 1}
                : new int[] {prod(d, 0, a), d[a], prod(d, a + 1, d.length)};
    }

    /** The values of a float tensor as float32 (the array itself when already float32). */
    protected static float[] f32(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floats() : t.cast(DType.FLOAT32).floats();
    }

    /** Wraps float32 results, converted to dtype when that is another type. */
    protected static Tensor out(DType dtype, Shape shape, float[] v) {
        Tensor t = Tensor.of(shape, v);
        return dtype == DType.FLOAT32 ? t : t.cast(dtype);
    }

    /**
     * The gradient array of backward: grads[i] (when not null) wrapped in input i's type and
     * shape; inputs without a gradient stay null.
     */
    protected static Tensor[] gradients(Tensor[] inputs, float[]... grads) {
        Tensor[] r = new Tensor[inputs.length];
        for (int i = 0; i < grads.length && i < inputs.length; i++) {
            if (grads[i] != null && inputs[i] != null) {
                r[i] = out(inputs[i].dtype(), inputs[i].shape(), grads[i]);
            }
        }
        return r;
    }

    /** Product of dims [from, to). */
    protected static int prod(int[] dims, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    /** Product of dims [from, to) of a type, or -1 when one of them is unknown. */
    static int knownProd(Shape s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (s.dim(i) < 0) {
                return -1;
            }
            p *= s.dim(i);
        }
        return (int) p;
    }

    /** Static element count of a type, or 0 when a dimension is unknown (for MAC counts). */
    protected static long elements(TensorType t) {
        return t == null || !t.shape().isStatic() ? 0 : t.shape().size();
    }
}
