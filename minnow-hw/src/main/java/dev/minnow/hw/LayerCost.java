package dev.minnow.hw;

/**
 * One node's cost in one forward pass at batch 1 (docs/COST.md), from core's
 * {@link dev.minnow.graph.OpCost}: the bytes split into those read from the model's stored
 * constants (weights, biases, statistics, settings: {@code weightBytes}) and those of the
 * values that flow (inputs read and outputs written: {@code activationBytes}).
 *
 * @param outputShape shape of the first output, -1 where unknown
 */
public record LayerCost(String name, String op, long params, long macs, long bytesRead, long bytesWritten,
                        long weightBytes, long activationBytes, int[] outputShape) {
    public LayerCost {
        if (weightBytes + activationBytes != bytesRead + bytesWritten) {
            throw new IllegalArgumentException("weight and activation bytes must add up to the bytes moved");
        }
        outputShape = outputShape.clone();
    }

    @Override
    public int[] outputShape() {
        return outputShape.clone();
    }

    /** FLOPs (2 per MAC) per byte moved; 0 for a node that moves nothing. */
    public double arithmeticIntensity() {
        return CostReport.intensity(macs, bytesRead + bytesWritten);
    }
}
