package dev.minnow.graph;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;

/** What shape inference knows about a value: its element type and shape (dims may be unknown, -1). */
public record TensorType(DType dtype, Shape shape) {
    public static TensorType f32(int... dims) {
        return new TensorType(DType.FLOAT32, Shape.of(dims));
    }

    @Override
    public String toString() {
        return dtype.label + shape;
    }
}
