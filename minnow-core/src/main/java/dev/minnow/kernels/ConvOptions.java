package dev.minnow.kernels;

/**
 * Which optional convolution forms {@link Conv2d} may choose, passed as a value (the inference
 * executor builds one from its ExecutionOptions; training and op forwards use {@link #DEFAULT}).
 * Turning a form off is for comparisons and benchmarks: every form gives the same result.
 *
 * @param shiftedConv shifted-row convolutions ({@link ShiftedConv}) for training's forward and gradients
 * @param channelLast prepared weights multiplied channel-last on small planes ({@link Conv2d#channelLast})
 * @param directConv  the direct kernel for few input channels ({@link DirectConv})
 */
public record ConvOptions(boolean shiftedConv, boolean channelLast, boolean directConv) {
    /** Every form on: what the kernels pick by shape. */
    public static final ConvOptions DEFAULT = new ConvOptions(true, true, true);
}
