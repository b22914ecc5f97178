package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Flatten(axis=1): [d0..d(axis-1)] x [d(axis)..] as a 2-D tensor; axis in [-rank, rank]. */
final class Flatten extends ReshapeLike {
    private final long axis;

    Flatten(Attributes a) {
        super("Flatten", a);
        axis = a.getInt("axis", 1);
    }

    @Override
    protected Shape outputShape(Shape in, List<TensorType> inputs, List<Tensor> constants) {
        int r = in.rank();
        long ax = axis < 0 ? axis + r : axis;
        if (ax < 0 || ax > r) {
            throw shapeError("axis " + axis + " is out of range for rank " + r);
        }
        int[] d = in.dims();
        return Shape.of(product(d, 0, (int) ax), product(d, (int) ax, r));
    }
}
