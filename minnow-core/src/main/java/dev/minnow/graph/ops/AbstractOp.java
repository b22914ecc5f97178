package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Shared plumbing of the tensor ops: the op type, its attributes and the model's opset.
 * The ONNX importer stores the opset under {@link #OPSET_KEY}; graphs built in Java have
 * none and get the newest semantics.
 */
public abstract class AbstractOp implements Op {
    /** Attribute key under which the importer stores the model's default-domain opset (a Long). */
    static final String OPSET_KEY = "_opset";
    static final long LATEST_OPSET = 23;

    private final String type;
    private final Attributes attributes;
    /** Model opset for this node, LATEST_OPSET when unknown. */
    protected final long opset;

    protected AbstractOp(String type, Attributes attributes) {
        this.type = type;
        this.attributes = attributes == null ? new Attributes() : attributes;
        this.opset = this.attributes.getInt(OPSET_KEY, LATEST_OPSET);
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Attributes attributes() {
        return attributes;
    }

    protected UnsupportedOpException unsupported(String attribute, Object value, String supported) {
        return new UnsupportedOpException("op " + type + ": attribute " + attribute + "=" + value
                + " is not supported (supported: " + supported + ")");
    }

    protected UnsupportedOpException noBackward() {
        return new UnsupportedOpException("op " + type + " has no backward pass: it cannot be trained through");
    }

    protected ShapeException shapeError(String message) {
        return new ShapeException(type + ": " + message);
    }

    /** Input i's type, failing with a clear message when a required input is absent. */
    protected TensorType required(List<TensorType> inputs, int i) {
        if (i >= inputs.size() || inputs.get(i) == null) {
            throw shapeError("input " + i + " is required but absent");
        }
        return inputs.get(i);
    }

    protected static Tensor constant(List<Tensor> constants, int i) {
        return constants == null || i >= constants.size() ? null : constants.get(i);
    }

    /** The constants as an array with one slot per input (null where unknown). */
    protected static Tensor[] constants(List<TensorType> inputs, List<Tensor> constants) {
        Tensor[] c = new Tensor[inputs.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = constant(constants, i);
        }
        return c;
    }

    /** An element-type attribute (ONNX TensorProto code), or dflt when absent; rejects types Minnow cannot store. */
    protected DType dtypeAttribute(String name, DType dflt) {
        if (!attributes.has(name)) {
            return dflt;
        }
        long code = attributes.getInt(name, 0);
        DType t = DType.fromOnnx((int) code);
        if (t == null) {
            throw unsupported(name, code, "ONNX element types 1-3, 5-7, 9-11, 16");
        }
        return t;
    }

    protected static Tensor input(Tensor[] inputs, int i) {
        return i < inputs.length ? inputs[i] : null;
    }

    /** Axis in [-rank, rank) made non-negative. */
    protected int axis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1) && !(rank == 0 && a == 0)) {
            throw shapeError("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    protected void requireFloat(TensorType t, String what) {
        if (t.dtype() != DType.FLOAT32 && t.dtype() != DType.FLOAT64 && t.dtype() != DType.FLOAT16
                && t.dtype() != DType.BFLOAT16) {
            throw shapeError(what + " must be a floating-point tensor, got " + t.dtype().label);
        }
    }

    /**
     * Most bytes one op may allocate for an output or a working array proportional to it: a
     * quarter of the heap, at most 2 GiB. The same bound GraphRunner.maxTensorBytes() puts on a
     * node's outputs, repeated here because the ops also build index maps and intermediates
     * that the runner's check does not see.
     */
    protected static long maxAllocationBytes() {
        return Math.min(Runtime.getRuntime().maxMemory() / 4, 1L << 31);
    }

    /**
     * Element count of dims, checked before allocating bytesPerElement bytes for each: refuses
     * (naming this op and what) counts whose arrays would pass {@link #maxAllocationBytes()}.
     * Never overflows, however large the dims; 0 when any dim is 0.
     */
    protected int checkedElements(int[] dims, int bytesPerElement, String what) {
        long limit = Math.min(maxAllocationBytes() / bytesPerElement, Integer.MAX_VALUE - 8);
        for (int d : dims) {
            if (d < 0) {
                throw shapeError(what + " has an unknown or negative dimension: " + java.util.Arrays.toString(dims));
            }
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        boolean tooLarge = false;
        for (int d : dims) {
            // stop multiplying once past the limit, so no product can wrap around
            tooLarge |= n > limit / d;
            n = tooLarge ? n : n * d;
        }
        if (tooLarge) {
            throw shapeError(what + " of shape " + java.util.Arrays.toString(dims) + " would take more than "
                    + maxAllocationBytes() + " bytes (" + bytesPerElement + " per element); the shapes are wrong or"
                    + " too large for this heap (raise -Xmx)");
        }
        return (int) n;
    }

    /** Element count, or 0 when a dim is unknown: the MAC count of an op doing one operation per output. */
    protected static long elements(TensorType t) {
        return t == null || !t.shape().isStatic() ? 0 : t.shape().size();
    }
}
