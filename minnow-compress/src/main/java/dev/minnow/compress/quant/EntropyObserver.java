package dev.minnow.compress.quant;

import dev.minnow.tensor.Tensor;

/**
 * TensorRT's entropy calibration: a histogram of |x| (zeros left out), and the clipping threshold t (a bin edge)
 * whose quantized distribution is closest to the float one in KL divergence. For each candidate
 * t, the reference P is the histogram up to t with everything beyond added to its last bin (the
 * clipped values land there); Q merges those bins into as many levels as the scheme has codes on
 * that side of zero (256 for a non-negative uint8 tensor, 128 per side for a symmetric scheme) and
 * spreads each level's count evenly over its non-empty bins. The range is then
 * [max(min, -t), min(max, t)]. An affine range over both signs searches each side on its own
 * histogram, with the codes that side's share of the observed range would get.
 */
public final class EntropyObserver implements Observer {
    public static final int BINS = 2048;
    private final Histogram histogram = new Histogram(BINS);
    private final Histogram negative = new Histogram(BINS);
    private final Histogram positive = new Histogram(BINS);
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;
    private long zeros;

    @Override
    public void observe(Tensor values) {
        float[] v = values.floats();
        float[] neg = new float[v.length];
        float[] pos = new float[v.length];
        int nn = 0;
        int np = 0;
        for (float x : v) {
            min = Math.min(min, x); // NaN is counted by the histograms
            max = Math.max(max, x);
            if (x < 0) {
                neg[nn++] = -x;
            } else if (x > 0 || Float.isNaN(x)) {
                pos[np++] = x;
            }
        }
        // exact zeros (half of a post-ReLU tensor) quantize exactly; left in, their spike in the
        // first bin dominates the divergence and pulls the threshold far too low
        float[] n = java.util.Arrays.copyOf(neg, nn);
        float[] p = java.util.Arrays.copyOf(pos, np);
        histogram.add(n, false);
        histogram.add(p, false);
        negative.add(n, false);
        positive.add(p, false);
        zeros += v.length - nn - np;
    }

    @Override
    public boolean isEmpty() {
        return histogram.isEmpty() && zeros == 0;
    }

    @Override
    public QuantParams params(QuantScheme s) {
        if (histogram.isEmpty() && zeros > 0) {
            return QuantParams.perTensor(s, 0, 0);
        }
        Observers.requireUsable(histogram);
        int codes = s.qmax() - s.qmin() + 1;
        if (s.symmetric() || min >= 0 || max <= 0) {
            int levels = min < 0 && max > 0 ? codes / 2 : codes;
            double t = threshold(histogram, levels);
            return QuantParams.perTensor(s, (float) Math.max(Math.min(min, 0), -t), (float) Math.min(Math.max(max, 0), t));
        }
        // an affine range: each side searched with the codes its share of the range gets (a
        // normalized image's background is a spike on one side that |x| would fold onto the other)
        double share = (double) -min / ((double) max - min);
        double tn = threshold(negative, Math.max(16, (int) Math.round(codes * share)));
        double tp = threshold(positive, Math.max(16, (int) Math.round(codes * (1 - share))));
        return QuantParams.perTensor(s, (float) Math.max(min, -tn), (float) Math.min(max, tp));
    }

    /** The clipping threshold on |x| with the smallest KL divergence for this many levels. */
    public double threshold(int levels) {
        return threshold(histogram, levels);
    }

    private static double threshold(Histogram histogram, int levels) {
        if (histogram.total() == 0) {
            return 0;
        }
        long[] h = histogram.counts();
        int bins = h.length;
        if (levels >= bins || histogram.max() <= 0) {
            return histogram.max();
        }
        long[] suffix = new long[bins + 1];
        for (int i = bins - 1; i >= 0; i--) {
            suffix[i] = suffix[i + 1] + h[i];
        }
        double bestKl = Double.POSITIVE_INFINITY;
        int best = bins;
        double[] q = new double[bins];
        for (int i = levels; i <= bins; i++) {
            double kl = divergence(h, i, suffix[i], levels, q);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return histogram.edge(best);
    }

    /** KL(P || Q) for the first i bins with the outliers beyond them added to bin i - 1. */
    private static double divergence(long[] h, int i, long outliers, int levels, double[] q) {
        double perLevel = (double) i / levels;
        for (int j = 0; j < levels; j++) {
            int start = (int) Math.floor(j * perLevel);
            int stop = j == levels - 1 ? i : (int) Math.floor((j + 1) * perLevel);
            long sum = 0;
            int nonZero = 0;
            for (int k = start; k < stop; k++) {
                sum += h[k];
                nonZero += h[k] != 0 ? 1 : 0;
            }
            for (int k = start; k < stop; k++) {
                q[k] = h[k] != 0 ? (double) sum / nonZero : 0;
            }
        }
        double pTotal = 0;
        double qTotal = 0;
        for (int k = 0; k < i; k++) {
            pTotal += h[k];
            qTotal += q[k];
        }
        pTotal += outliers;
        if (pTotal == 0 || qTotal == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int k = 0; k < i; k++) {
            double p = (h[k] + (k == i - 1 ? outliers : 0)) / pTotal;
            if (p == 0) {
                continue;
            }
            double qk = q[k] / qTotal;
            kl += p * Math.log(p / Math.max(qk, 1e-12));
        }
        return kl;
    }

    @Override
    public String method() {
        return "entropy";
    }

    public Histogram histogram() {
        return histogram;
    }
}
