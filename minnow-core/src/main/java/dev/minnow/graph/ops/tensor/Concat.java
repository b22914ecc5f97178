package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
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
 * Concat(axis) of any number of inputs of one dtype, equal in every dim but axis. Backward
 * splits the gradient back into the input slabs. MACs: 0 (data movement only).
 */
public final class Concat extends AbstractOp {
    private final long axisAttr;

    public Concat(Attributes a) {
        super("Concat", a);
        if (!a.has("axis") && opset >= 4) {
            throw shapeError("attribute axis is required");
        }
        axisAttr = a.getInt("axis", 1); // optional, default 1, before opset 4
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType first = required(inputs, 0);
        int rank = first.shape().rank();
        int ax = axis(axisAttr, rank);
        int[] out = first.shape().dims();
        for (int k = 1; k < inputs.size(); k++) {
            TensorType t = required(inputs, k);
            if (t.shape().rank() != rank || t.dtype() != first.dtype()) {
                throw shapeError("input " + k + " " + t + " does not match input 0 " + first);
            }
            for (int d = 0; d < rank; d++) {
                int v = t.shape().dim(d);
                if (d == ax) {
                    out[d] = out[d] == Shape.UNKNOWN || v == Shape.UNKNOWN ? Shape.UNKNOWN : out[d] + v;
                } else if (out[d] == Shape.UNKNOWN) {
                    out[d] = v;
                } else if (v != Shape.UNKNOWN && v != out[d]) {
                    throw shapeError("input " + k + " " + t + " differs from input 0 " + first + " in dim " + d);
                }
            }
        }
        return List.of(new TensorType(first.dtype(), Shape.of(out)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        List<TensorType> types = new java.util.ArrayList<>();
        for (Tensor t : inputs) {
            types.add(new TensorType(t.dtype(), t.shape()));
        }
        Shape os = inferTypes(types, null).get(0).shape();
        int ax = axis(axisAttr, os.rank());
        int[] d = os.dims();
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        Tensor out = Tensor.zeros(inputs[0].dtype(), os);
        int rowOut = d[ax] * inner;
        int offset = 0;
        for (Tensor t : inputs) {
            int row = t.shape().dim(ax) * inner;
            for (int o = 0; o < outer; o++) {
                System.arraycopy(t.data(), o * row, out.data(), o * rowOut + offset, row);
            }
            offset += row;
        }
        return new Tensor[] {out};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor g = gradOutputs[0];
        if (g == null) {
            return r;
        }
        int[] d = g.shape().dims();
        int ax = axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int rowOut = d[ax] * inner;
        int offset = 0;
        for (int k = 0; k < inputs.length; k++) {
            int row = inputs[k].shape().dim(ax) * inner;
            if (inputs[k].dtype() == DType.FLOAT32) {
                float[] gk = new float[outer * row];
                for (int o = 0; o < outer; o++) {
                    System.arraycopy(g.floats(), o * rowOut + offset, gk, o * row, row);
                }
                r[k] = Elems.f32(inputs[k].shape(), gk);
            }
            offset += row;
        }
        return r;
    }
}
