package dev.minnow.infer;

import dev.minnow.errors.InvalidInputException;
import java.util.Locale;

/** Whether layers with constant sparse weights run the sparse kernels (dev.minnow.infer.kernels.SparseKernels). */
public enum SparseMode {
    /** Sparse where the weight's sparsity is above the measured crossover for the layer's shape (the default). */
    AUTO,
    /** Sparse for every eligible layer, whatever its sparsity (comparisons, tests). */
    ON,
    /** Never: every layer runs the dense kernels. */
    OFF;

    /** auto, on or off (any case). */
    public static SparseMode parse(String s) {
        for (SparseMode m : values()) {
            if (m.name().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new InvalidInputException("unknown sparse mode '" + s + "'; use auto, on or off");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
