package dev.minnow.infer;

import dev.minnow.graph.Node;
import dev.minnow.tensor.Tensor;

/**
 * Sees every value an {@link InferenceExecutor} computes, as it is computed (calibration:
 * activation ranges and histograms). The tensor is always NCHW (values a channel-last chain
 * holds are converted first) and is only valid during the call: its storage may be reused by a
 * later step, so copy what you keep. Set it with {@link ExecutionOptions.Builder#observer}.
 */
@FunctionalInterface
public interface ValueObserver {
    /** value: the value's name in the source graph; producer: the node that wrote it. */
    void onValue(String value, Node producer, Tensor tensor);
}
