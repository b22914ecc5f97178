package dev.minnow.compress.quant;

import dev.minnow.tensor.Tensor;

/**
 * Chooses the clipping range that minimizes the expected mean squared quantization error over
 * the observed histogram. The observed range is shrunk by a common factor a in (0, 1] (both ends,
 * so an asymmetric range keeps its shape) and, for each a, the error is estimated per bin: a bin
 * inside the representable range costs the uniform rounding noise step^2 / 12 per value, a bin
 * outside it the squared distance from its centre to the nearest representable bound.
 */
public final class MseObserver implements Observer {
    public static final int BINS = 2048;
    /** Candidate shrink factors tried: a = k / CANDIDATES for k = 1..CANDIDATES. */
    public static final int CANDIDATES = 200;
    private final Histogram histogram = new Histogram(BINS);

    @Override
    public void observe(Tensor values) {
        histogram.add(values.floats(), false);
    }

    /** Adds raw values (a weight channel). */
    public void observe(float[] values) {
        histogram.add(values, false);
    }

    @Override
    public boolean isEmpty() {
        return histogram.isEmpty();
    }

    @Override
    public QuantParams params(QuantScheme s) {
        Observers.requireUsable(histogram);
        float lo = Math.min(histogram.min(), 0);
        float hi = Math.max(histogram.max(), 0);
        QuantParams best = QuantParams.perTensor(s, lo, hi);
        double bestError = expectedError(best);
        for (int k = CANDIDATES - 1; k >= 1; k--) {
            double a = (double) k / CANDIDATES;
            QuantParams p = QuantParams.perTensor(s, (float) (lo * a), (float) (hi * a));
            double err = expectedError(p);
            if (err < bestError) {
                best = p;
                bestError = err;
            }
        }
        return best;
    }

    /** Expected squared error summed over the histogram's values under parameters p. */
    public double expectedError(QuantParams p) {
        double scale = p.scale()[0];
        double zp = p.zeroPoint()[0];
        double qlo = (p.scheme().qmin() - zp) * scale;
        double qhi = (p.scheme().qmax() - zp) * scale;
        double noise = scale * scale / 12;
        double err = 0;
        for (int i = 0; i < histogram.bins(); i++) {
            long n = histogram.count(i);
            if (n == 0) {
                continue;
            }
            double c = histogram.edge(i) + histogram.binWidth() / 2;
            if (c < qlo) {
                err += n * (qlo - c) * (qlo - c);
            } else if (c > qhi) {
                err += n * (c - qhi) * (c - qhi);
            } else {
                err += n * noise;
            }
        }
        return err;
    }

    @Override
    public String method() {
        return "mse";
    }

    public Histogram histogram() {
        return histogram;
    }
}
