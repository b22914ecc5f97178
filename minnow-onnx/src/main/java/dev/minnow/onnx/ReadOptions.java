package dev.minnow.onnx;

import dev.minnow.graph.OpRegistry;

/**
 * How {@link Onnx} imports a model. The defaults fold constants and drop dead nodes (both keep
 * results identical) and leave element types as they are.
 *
 * @param registry      where op types are looked up (the global registry unless a test brings its own)
 * @param foldConstants evaluate nodes whose inputs are all known (Shape/Gather/Concat chains of exporters)
 * @param removeDeadNodes drop nodes and initializers that no graph output needs
 * @param upcastHalf    turn float16/bfloat16 initializers, graph inputs/outputs and Cast targets into float32
 * @param nchwInputs    redeclare NHWC image inputs (tf2onnx: input then Transpose to NCHW) as NCHW
 */
public record ReadOptions(OpRegistry registry, boolean foldConstants, boolean removeDeadNodes, boolean upcastHalf,
        boolean nchwInputs) {
    public static ReadOptions defaults() {
        return new ReadOptions(OpRegistry.global(), true, true, false, false);
    }

    public ReadOptions withRegistry(OpRegistry r) {
        return new ReadOptions(r, foldConstants, removeDeadNodes, upcastHalf, nchwInputs);
    }

    public ReadOptions withFoldConstants(boolean on) {
        return new ReadOptions(registry, on, removeDeadNodes, upcastHalf, nchwInputs);
    }

    public ReadOptions withRemoveDeadNodes(boolean on) {
        return new ReadOptions(registry, foldConstants, on, upcastHalf, nchwInputs);
    }

    public ReadOptions withUpcastHalf(boolean on) {
        return new ReadOptions(registry, foldConstants, removeDeadNodes, on, nchwInputs);
    }

    public ReadOptions withNchwInputs(boolean on) {
        return new ReadOptions(registry, foldConstants, removeDeadNodes, upcastHalf, on);
    }
}
