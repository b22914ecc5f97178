package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Base of the ops that only relabel the shape (Reshape, Flatten, Squeeze, Unsqueeze,
 * Identity): the output shares the input's storage, and the gradient is the output gradient
 * reshaped back. Subclasses give the output shape. MACs: 0.
 */
public abstract class ReshapeLike extends AbstractOp {
    protected ReshapeLike(String type, Attributes attributes) {
        super(type, attributes);
    }

    /** Output shape from the input shape and (at run time, or when constant) the other inputs; -1 dims allowed in inference. */
    protected abstract Shape outputShape(Shape in, List<TensorType> inputs, List<Tensor> constants);

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        return List.of(new TensorType(x.dtype(), outputShape(x.shape(), inputs, constants)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        List<TensorType> types = new java.util.ArrayList<>();
        for (Tensor t : inputs) {
            types.add(t == null ? null : new TensorType(t.dtype(), t.shape()));
        }
        Shape out = outputShape(x.shape(), types, java.util.Arrays.asList(inputs));
        if (out.size() != x.shape().size()) {
            throw shapeError("cannot reshape " + x.shape() + " (" + x.shape().size() + " elements) to " + out);
        }
        return new Tensor[] {x.reshape(out)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] != null) {
            r[0] = gradOutputs[0].reshape(inputs[0].shape());
        }
        return r;
    }

    /** Product of dims, -1 when any is unknown. */
    public static int product(int[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (dims[i] == Shape.UNKNOWN) {
                return Shape.UNKNOWN;
            }
            p *= dims[i];
        }
        return Math.toIntExact(p);
    }
}
