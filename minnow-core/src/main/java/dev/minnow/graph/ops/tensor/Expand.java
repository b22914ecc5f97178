package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Expand(input, shape): broadcasts input and the given shape together (either side may be 1). */
final class Expand extends IndexMapOp {
    Expand(Attributes a) {
        super("Expand", a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor s = constant(constants, 1);
        if (s == null) {
            int len = required(inputs, 1).shape().dim(0);
            if (len < 0) {
                throw shapeError("the shape input must have a known length");
            }
            int[] d = new int[Math.max(len, x.shape().rank())];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            return List.of(new TensorType(x.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(x.dtype(), Broadcast.shape(type(), x.shape(), Shape.of(Elems.longs(s)))));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        Shape out = Broadcast.shape(type(), in, Shape.of(Elems.longs(inputs[1])));
        checkedElements(out.dims(), Integer.BYTES, "the index map of the output");
        int[] m = Broadcast.map(in, out);
        return new Plan(out, m == null ? identity(out.sizeInt()) : m);
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
