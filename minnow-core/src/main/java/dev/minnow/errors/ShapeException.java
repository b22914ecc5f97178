package dev.minnow.errors;

/** Tensor shapes or types that do not fit an op (found by shape inference or at run time). */
public class ShapeException extends MinnowException {
    public ShapeException(String message) {
        super(message);
    }
}
