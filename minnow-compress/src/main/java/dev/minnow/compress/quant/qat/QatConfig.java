package dev.minnow.compress.quant.qat;

import dev.minnow.errors.InvalidInputException;

/**
 * What quantization-aware training simulates. {@code method} sets how ranges are found:
 * MINMAX (weights' per-channel range follows the weights after every step; activation ranges
 * fixed by calibration), LSQ (every step size learned, Esser et al. 2020), PACT (activation clip
 * after each ReLU learned; weights as MINMAX), DOREFA (weights tanh-normalized to k bits,
 * activations after ReLU clipped to [0, 1]). {@code weights} BINARY or TERNARY replace the
 * method's weight quantizer (activations still follow the method).
 */
public record QatConfig(int weightBits, int actBits, Method method, WeightMode weights) {
    public enum Method { MINMAX, LSQ, PACT, DOREFA }

    public enum WeightMode { UNIFORM, BINARY, TERNARY }

    public QatConfig {
        if (actBits < 2 || actBits > 8) {
            throw new InvalidInputException("--act-bits must be between 2 and 8 (exported as uint8 QDQ), got " + actBits);
        }
        if (weights == WeightMode.UNIFORM) {
            int lo = method == Method.DOREFA ? 1 : 2;
            int hi = method == Method.DOREFA ? 7 : 8;
            if (weightBits < lo || weightBits > hi) {
                throw new InvalidInputException("--weight-bits must be between " + lo + " and " + hi + " for "
                        + method.name().toLowerCase(java.util.Locale.ROOT) + " (exported as int8 QDQ), got " + weightBits
                        + "; use --binary-weights or --ternary-weights for 1 or 2 levels");
            }
        }
    }

    /** Bits each weight takes when packed: 1 for binary, 2 for ternary, else weightBits. */
    public int packedWeightBits() {
        return switch (weights) {
            case BINARY -> 1;
            case TERNARY -> 2;
            case UNIFORM -> weightBits;
        };
    }

    public String describe() {
        return "method=" + method.name().toLowerCase(java.util.Locale.ROOT) + " weights="
                + (weights == WeightMode.UNIFORM ? weightBits + "-bit" : weights.name().toLowerCase(java.util.Locale.ROOT))
                + " activations=" + actBits + "-bit";
    }
}
