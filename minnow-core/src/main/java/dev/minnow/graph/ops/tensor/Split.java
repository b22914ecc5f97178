package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Split(input, split?) along axis into parts. Part sizes: the split input (opset 13+) or
 * attribute (before 13); else num_outputs (opset 18+) parts of ceil(d / n) with a smaller
 * last one; else equal parts, one per node output. The op does not see the node, so the
 * importer passes the node's output count as the attribute "_num_outputs".
 * Backward concatenates the part gradients (zeros for unused parts). MACs: 0.
 */
final class Split extends AbstractOp {
    /** Attribute key carrying the node's output count (set by the ONNX importer). */
    static final String NUM_OUTPUTS_KEY = "_num_outputs";
    private final long axisAttr;
    private final long[] attrSplit;
    private final long numOutputs;

    Split(Attributes a) {
        super("Split", a);
        axisAttr = a.getInt("axis", 0);
        attrSplit = a.getInts("split", null);
        numOutputs = a.getInt("num_outputs", a.getInt(NUM_OUTPUTS_KEY, 0));
    }

    private int[] sizes(int dim, Tensor splitInput) {
        long[] s = opset < 13 ? attrSplit : splitInput == null ? null : Elems.longs(splitInput);
        if (s != null) {
            int[] r = new int[s.length];
            long sum = 0;
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0 || s[i] > Integer.MAX_VALUE) {
                    throw shapeError("split size " + s[i] + " (part " + i + ") is negative or larger than "
                            + Integer.MAX_VALUE);
                }
                r[i] = (int) s[i];
                sum += s[i]; // at most 2^31 per part and 2^31 parts: no overflow
            }
            if (dim >= 0 && sum != dim) {
                throw shapeError("split sizes " + java.util.Arrays.toString(s) + " do not add up to " + dim);
            }
            return r;
        }
        if (numOutputs <= 0) {
            throw shapeError("neither split sizes nor the number of outputs are known");
        }
        // more parts than values leaves a part with a negative size in ONNX's reference
        if (dim > 0 && numOutputs > dim) {
            throw shapeError("num_outputs " + numOutputs + " is more than the " + dim + " values of the split axis");
        }
        // an empty or unknown axis bounds nothing: bound the parts' bookkeeping (about 64 bytes each)
        if (numOutputs > maxAllocationBytes() / 64) {
            throw shapeError("num_outputs " + numOutputs + " is too large for this heap");
        }
        int n = (int) numOutputs;
        int[] r = new int[n];
        if (dim < 0) {
            java.util.Arrays.fill(r, Shape.UNKNOWN);
            return r;
        }
        boolean uneven = attributes().has("num_outputs");
        int chunk = (int) (uneven ? ((long) dim + n - 1) / n : dim / n);
        if (!uneven && dim % n != 0) {
            throw shapeError("axis of size " + dim + " cannot be split into " + n + " equal parts");
        }
        int left = dim;
        for (int i = 0; i < n; i++) {
            r[i] = Math.min(chunk, left);
            left -= r[i];
        }
        return r;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        int ax = axis(axisAttr, x.shape().rank());
        boolean splitGiven = inputs.size() > 1 && inputs.get(1) != null;
        Tensor s = constant(constants, 1);
        if (splitGiven && s == null) {
            throw shapeError("the split input must be a constant (an initializer) for shape inference");
        }
        int[] sizes = sizes(x.shape().dim(ax), s);
        TensorType[] out = new TensorType[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new TensorType(x.dtype(), x.shape().withDim(ax, sizes[i]));
        }
        return List.of(out);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int ax = axis(axisAttr, d.length);
        int[] sizes = sizes(d[ax], input(inputs, 1));
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        Tensor[] out = new Tensor[sizes.length];
        int offset = 0;
        for (int k = 0; k < sizes.length; k++) {
            out[k] = Tensor.zeros(x.dtype(), x.shape().withDim(ax, sizes[k]));
            int row = sizes[k] * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x.data(), o * d[ax] * inner + offset, out[k].data(), o * row, row);
            }
            offset += row;
        }
        return out;
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (x.dtype() != DType.FLOAT32) {
            return r;
        }
        int[] d = x.shape().dims();
        int ax = axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        float[] gx = new float[x.size()];
        int offset = 0;
        for (int k = 0; k < outputs.length; k++) {
            int row = outputs[k].shape().dim(ax) * inner;
            if (k < gradOutputs.length && gradOutputs[k] != null) {
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(gradOutputs[k].floats(), o * row, gx, o * d[ax] * inner + offset, row);
                }
            }
            offset += row;
        }
        r[0] = Elems.f32(x.shape(), gx);
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
