package dev.minnow.compress.quant;

import dev.minnow.tensor.Tensor;

/**
 * Watches the values a tensor takes (an activation over calibration batches, or a weight once)
 * and chooses its quantization parameters. Implementations differ in how they pick the clipping
 * range: the extremes, a percentile, the range that minimizes the KL divergence between the float
 * and quantized histograms, or the one that minimizes the mean squared quantization error.
 * Not thread-safe: one observer per value, fed from one thread.
 */
public interface Observer {
    /** Adds the values of one batch (float32). */
    void observe(Tensor values);

    /** Whether any value has been observed. */
    boolean isEmpty();

    /** The parameters for scheme s from what was observed. */
    QuantParams params(QuantScheme s);

    /** A short name for tables and JSON (minmax, percentile, entropy, mse, ...). */
    String method();
}
