package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;
import java.util.Locale;

/**
 * What stays in each processing element while the other two operands stream past
 * (SCALE-Sim's {@code Dataflow} key): the weights, the output sums, or the input pixels.
 */
public enum Dataflow {
    WEIGHT_STATIONARY("ws"),
    OUTPUT_STATIONARY("os"),
    INPUT_STATIONARY("is");

    private final String code;

    Dataflow(String code) {
        this.code = code;
    }

    /** The two-letter name SCALE-Sim's configuration files use. */
    public String code() {
        return code;
    }

    /** Reads {@code ws}, {@code os} or {@code is} (any case); {@code where} names the file and line for the error. */
    public static Dataflow parse(String text, String where) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        for (Dataflow d : values()) {
            if (d.code.equals(t)) {
                return d;
            }
        }
        throw new InvalidInputException(where + ": Dataflow is '" + text.strip() + "'; use ws, os or is");
    }
}
