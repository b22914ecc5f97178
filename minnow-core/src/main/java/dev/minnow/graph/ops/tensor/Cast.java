package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Cast(to) and CastLike(input, target_type): element type conversion; float to integer
 * truncates toward zero, anything to bool is (x != 0). Differentiable between float32 values.
 * Element types Minnow has no storage for (float8, int4, string, ...) are rejected.
 */
final class Cast extends AbstractOp {
    private final DType to;

    Cast(String type, Attributes a) {
        super(type, a);
        if (type.equals("Cast")) {
            if (!a.has("to")) {
                throw shapeError("attribute to is required");
            }
            to = dtypeAttribute("to", null);
        } else {
            to = null;
        }
    }

    private DType target(DType likeType) {
        return to != null ? to : likeType;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        return List.of(new TensorType(target(to == null ? required(inputs, 1).dtype() : null), x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        DType t = target(to == null ? inputs[1].dtype() : null);
        return new Tensor[] {inputs[0].cast(t)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] != null && inputs[0].dtype() == DType.FLOAT32 && outputs[0].dtype().isFloating()) {
            r[0] = gradOutputs[0].cast(DType.FLOAT32);
        }
        return r;
    }
}
