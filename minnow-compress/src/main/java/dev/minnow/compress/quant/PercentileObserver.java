package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;

/**
 * Clips the range at a percentile of the observed values (99.99 keeps all but the top and bottom
 * 0.01%), so that a few outliers do not stretch the scale for everything else. A side whose values
 * never cross zero keeps its observed extreme: post-ReLU activations stay anchored at 0.
 */
public final class PercentileObserver implements Observer {
    public static final int BINS = 2048;
    private final double percentile;
    private final Histogram histogram = new Histogram(BINS);

    public PercentileObserver(double percentile) {
        if (!(percentile > 50 && percentile <= 100)) {
            throw new InvalidInputException("the percentile must be in (50, 100], got " + percentile);
        }
        this.percentile = percentile;
    }

    @Override
    public void observe(Tensor values) {
        histogram.add(values.floats(), false);
    }

    @Override
    public boolean isEmpty() {
        return histogram.isEmpty();
    }

    @Override
    public QuantParams params(QuantScheme s) {
        Observers.requireUsable(histogram);
        double q = percentile / 100;
        float lo = histogram.min() < 0 ? (float) histogram.quantile(1 - q) : histogram.min();
        float hi = histogram.max() > 0 ? (float) histogram.quantile(q) : histogram.max();
        return QuantParams.perTensor(s, Math.min(lo, 0), Math.max(hi, 0));
    }

    @Override
    public String method() {
        return "percentile";
    }

    public Histogram histogram() {
        return histogram;
    }
}
