package dev.minnow.hw.eyeriss;

import dev.minnow.errors.InvalidInputException;

/**
 * Fractions of zeros in a layer's input and output feature maps (after ReLU), which set how much
 * run-length coding shrinks their DRAM traffic. {@link #NONE} moves every word raw.
 */
public record ActivationZeros(double ifmap, double ofmap) {
    public static final ActivationZeros NONE = new ActivationZeros(0, 0);

    public ActivationZeros {
        if (!(ifmap >= 0 && ifmap <= 1) || !(ofmap >= 0 && ofmap <= 1)) {
            throw new InvalidInputException("zero fractions must be in [0, 1], got ifmap " + ifmap + ", ofmap " + ofmap);
        }
    }
}
