package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** ConstantOfShape(shape): a tensor of the given shape filled with the one-element attribute value (default float32 0). */
final class ConstantOfShape extends AbstractOp {
    private final Tensor value;

    ConstantOfShape(Attributes a) {
        super("ConstantOfShape", a);
        Tensor v = a.getTensor("value");
        if (v != null && v.size() != 1) {
            throw shapeError("attribute value must hold exactly one element, got shape " + v.shape());
        }
        value = v == null ? Tensor.scalar(0) : v;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType s = required(inputs, 0);
        Tensor c = constant(constants, 0);
        if (c != null) {
            return List.of(new TensorType(value.dtype(), Shape.of(Elems.longs(c))));
        }
        int len = s.shape().rank() == 0 ? 0 : s.shape().dim(0);
        if (len < 0) {
            throw shapeError("the shape input must have a known length");
        }
        int[] d = new int[len];
        java.util.Arrays.fill(d, Shape.UNKNOWN);
        return List.of(new TensorType(value.dtype(), Shape.of(d)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Shape s = Shape.of(Elems.longs(inputs[0]));
        int[] zeros = new int[s.sizeInt()];
        java.util.Arrays.fill(zeros, 0);
        Tensor one = value.reshape(Shape.of(1));
        return new Tensor[] {Elems.gather(one, zeros, s, 0)};
    }

    // input roles: its one input is the shape to fill
    @Override
    public InputRole inputRole(int index) {
        return index >= 0 ? InputRole.SETTING : InputRole.DATA;
    }
}
