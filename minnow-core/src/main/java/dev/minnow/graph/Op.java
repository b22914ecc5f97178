package dev.minnow.graph;

import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * One op kind, instantiated per node with its parsed attributes. Shape inference,
 * forward, backward and cost sit side by side in the implementing class (STYLE.md 2).
 */
public interface Op {
    /** ONNX op type, e.g. "Conv". */
    String type();

    /**
     * The op's domain: "" for the default ONNX domain, {@link OpRegistry#MINNOW_DOMAIN} for
     * Minnow's own ops. A node made without a domain takes this one, so the ONNX writer
     * names the right domain.
     */
    default String domain() {
        return OpRegistry.DEFAULT_DOMAIN;
    }

    /** The attributes this op was made from (exported to ONNX as they are). */
    Attributes attributes();

    /**
     * Output types from input types. {@code constants.get(i)} is the value of input i when it
     * is known before running (an initializer or folded constant), else null; ops such as
     * Reshape need it. An absent optional input has a null type. Throws ShapeException.
     */
    List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants);

    /** Computes outputs. Absent optional inputs are null. Must not modify inputs. */
    Tensor[] forward(OpContext ctx, Tensor[] inputs);

    /**
     * Gradients of the loss with respect to each input, given the gradients of the outputs
     * (an entry of gradOutputs may be null when that output does not reach the loss).
     * Returns an array with one entry per input; null where the input has no gradient.
     */
    default Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        throw new dev.minnow.errors.UnsupportedOpException("op " + type() + " has no backward pass: it cannot be trained through");
    }

    /** Whether backward is implemented. */
    default boolean differentiable() {
        return false;
    }

    /**
     * Multiply-accumulate count of one forward pass for these (static) shapes: the multiplies
     * whose products are summed in the op's contractions (conv, dense, matmul, attention,
     * recurrent cells, interpolation). Element-wise ops, pooling, normalization and data
     * movement count 0 (docs/COST.md).
     */
    default long macs(List<TensorType> inputs, List<TensorType> outputs) {
        return 0;
    }

    /**
     * What input slot {@code index} is for (weights, biases, statistics, settings...); see
     * {@link InputRole#of} for how a node's constant in a DATA slot is resolved.
     */
    default InputRole inputRole(int index) {
        return InputRole.DATA;
    }
}
