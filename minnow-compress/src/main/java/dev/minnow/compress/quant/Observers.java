package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import java.util.Locale;
import java.util.function.Supplier;

/** The calibration methods by name, and checks the histogram observers share. */
public final class Observers {
    public static final double DEFAULT_PERCENTILE = 99.99;

    private Observers() {
    }

    /** A factory of fresh per-tensor observers for minmax, percentile, entropy or mse. */
    public static Supplier<Observer> byName(String method) {
        return switch (method.toLowerCase(Locale.ROOT)) {
            case "minmax" -> MinMaxObserver::perTensor;
            case "percentile" -> () -> new PercentileObserver(DEFAULT_PERCENTILE);
            case "entropy" -> EntropyObserver::new;
            case "mse" -> MseObserver::new;
            default -> throw new InvalidInputException("unknown calibration method '" + method
                    + "'; use minmax, percentile, entropy or mse");
        };
    }

    static void requireUsable(Histogram h) {
        if (h.isEmpty()) {
            throw new InvalidInputException("no values were observed; the calibration set is empty");
        }
        if (h.nanCount() > 0 || !Float.isFinite(h.min()) || !Float.isFinite(h.max())) {
            throw new InvalidInputException("cannot quantize a tensor that took " + h.nanCount() + " NaN values (range ["
                    + h.min() + ", " + h.max() + "]) on the calibration data: the model produced NaN or infinite"
                    + " values; check the model and the calibration set's preprocessing");
        }
    }
}
