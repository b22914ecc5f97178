package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX RMSNormalization (opset 23): Y = X / sqrt(mean(X^2) + epsilon) * scale over the dimensions
 * [axis, rank) (axis default -1, epsilon 1e-5), scale broadcast as in LayerNormalization.
 * One output. 0 MACs.
 */
public final class RMSNormalizationOp extends LayerNormalizationOp {
    public RMSNormalizationOp(Attributes attrs) {
        super("RMSNormalization", attrs);
    }

    @Override
    boolean centered() {
        return false;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        return List.of(super.inferTypes(in, constants).get(0));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        return new Tensor[] {out(x.dtype(), x.shape(), compute(inputs)[0])};
    }
}
