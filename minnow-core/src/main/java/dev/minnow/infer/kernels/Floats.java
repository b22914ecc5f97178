package dev.minnow.infer.kernels;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/** Small helpers shared by the built-in kernels. */
final class Floats {
    private Floats() {
    }

    static float[] of(Tensor t) {
        return t.dtype() == DType.FLOAT32 ? t.floats() : t.cast(DType.FLOAT32).floats();
    }

    /** buffer when it has exactly size floats, else a new array. */
    static float[] target(float[] buffer, int size) {
        return buffer != null && buffer.length == size ? buffer : new float[size];
    }
}
