package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Identity: the input itself (storage shared). */
final class Identity extends ReshapeLike {
    Identity(Attributes a) {
        super("Identity", a);
    }

    @Override
    protected Shape outputShape(Shape in, List<TensorType> inputs, List<Tensor> constants) {
        return in;
    }
}
