package dev.minnow.infer.spi;

import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * What a provider knows about a node when the executor is built.
 *
 * @param node          the node (op, attributes, value names) in the graph the executor runs
 * @param inputTypes    its inputs' types as shape inference found them (null for an absent input);
 *                      the batch and other dims may differ per run
 * @param constants     input i's value when it is an initializer (the same tensor every run), else null
 * @param outputsUsed   whether output i is read by a node or is a graph output
 * @param inputLayouts  layout of each input (NCHW unless it is inside a channel-last chain)
 * @param outputLayouts layout of each output
 * @param options       the executor's options
 */
public record KernelRequest(Node node, List<TensorType> inputTypes, List<Tensor> constants,
                            List<Boolean> outputsUsed, List<Layout> inputLayouts, List<Layout> outputLayouts,
                            ExecutionOptions options) {
    public KernelRequest {
        inputTypes = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputTypes));
        constants = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(constants));
        outputsUsed = List.copyOf(outputsUsed);
        inputLayouts = List.copyOf(inputLayouts);
        outputLayouts = List.copyOf(outputLayouts);
    }

    public String opType() {
        return node.opType();
    }

    /** Input i's type, null when absent. */
    public TensorType inputType(int i) {
        return i < inputTypes.size() ? inputTypes.get(i) : null;
    }

    /** Input i's constant value, null when it is computed or absent. */
    public Tensor constant(int i) {
        return i < constants.size() ? constants.get(i) : null;
    }

    /** Whether input i is present and float32. */
    public boolean isFloat(int i) {
        TensorType t = inputType(i);
        return t != null && t.dtype() == DType.FLOAT32;
    }

    public boolean outputUsed(int i) {
        return i < outputsUsed.size() && outputsUsed.get(i);
    }

    /** Whether any input or output is channel-last (only chain-aware kernels may claim the node). */
    public boolean channelLast() {
        return inputLayouts.contains(Layout.NHWC) || outputLayouts.contains(Layout.NHWC);
    }
}
