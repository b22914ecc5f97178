package dev.minnow.compress.quant;

import java.util.Arrays;

/**
 * Counts of observed values in a fixed number of equal-width bins whose range grows with the data.
 * Growing never re-estimates counts: the new width is the old one times a power of two and the new
 * origin lies a whole number of old bins lower, so every old bin falls inside exactly one new bin
 * and the merged counts are exact (PyTorch's HistogramObserver spreads counts proportionally
 * instead). NaN values are counted apart, so a caller can refuse a range they would poison.
 */
public final class Histogram {
    private final long[] counts;
    private double origin;
    private double width;
    private long total;
    private long nans;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    public Histogram(int bins) {
        if (bins < 8) {
            throw new IllegalArgumentException("a histogram needs at least 8 bins, got " + bins);
        }
        this.counts = new long[bins];
    }

    /** Adds values (absolute values when {@code absolute}: what a symmetric clipping search needs). */
    public void add(float[] values, boolean absolute) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            float x = absolute ? Math.abs(v) : v;
            if (x < lo) {
                lo = x;
            }
            if (x > hi) {
                hi = x;
            }
        }
        if (lo > hi) { // nothing but NaN, or empty
            for (float v : values) {
                nans += Float.isNaN(v) ? 1 : 0;
            }
            return;
        }
        cover(lo, hi);
        int b = counts.length;
        for (float v : values) {
            if (Float.isNaN(v)) {
                nans++;
                total--;
                continue;
            }
            float x = absolute ? Math.abs(v) : v;
            int i = (int) ((x - origin) / width);
            counts[Math.max(0, Math.min(b - 1, i))]++;
        }
        total += values.length;
        min = Math.min(min, lo);
        max = Math.max(max, hi);
    }

    /** Grows the range (exactly, see the class comment) until it holds [lo, hi]. */
    private void cover(float lo, float hi) {
        int b = counts.length;
        if (width == 0) {
            origin = lo;
            width = hi > lo ? ((double) hi - lo) / b * (1 + 1e-9) : Math.max(Math.abs(lo) * 1e-7, 1e-30);
            return;
        }
        double newLo = Math.min(lo, origin);
        double newHi = Math.max(hi, origin + b * width);
        if (lo >= origin && hi < origin + b * width) {
            return;
        }
        if (min == max) { // every value so far equals min: start over on the wider range, exactly
            long n = total;
            float single = min;
            java.util.Arrays.fill(counts, 0);
            width = 0;
            cover(Math.min(lo, single), Math.max(hi, single));
            counts[Math.max(0, Math.min(b - 1, (int) ((single - origin) / width)))] += n;
            return;
        }
        long shift = (long) Math.ceil((origin - newLo) / width); // old bins added below the origin
        int k = 1;
        while ((shift + b - 1) >> k >= b || origin - shift * width + b * width * (1L << k) <= newHi) {
            k++;
        }
        long[] merged = new long[b];
        for (int i = 0; i < b; i++) {
            merged[(int) ((shift + i) >> k)] += counts[i];
        }
        System.arraycopy(merged, 0, counts, 0, b);
        origin -= shift * width;
        width *= 1L << k;
    }

    public int bins() {
        return counts.length;
    }

    public long count(int bin) {
        return counts[bin];
    }

    public long[] counts() {
        return counts.clone();
    }

    /** Lower edge of bin i. */
    public double edge(int i) {
        return origin + i * width;
    }

    public double binWidth() {
        return width;
    }

    /** Values counted (NaN excluded). */
    public long total() {
        return total;
    }

    public long nanCount() {
        return nans;
    }

    public float min() {
        return min;
    }

    public float max() {
        return max;
    }

    public boolean isEmpty() {
        return total == 0 && nans == 0;
    }

    /**
     * The value below which a fraction q of the counted values lie, interpolated linearly inside
     * the bin where the running count crosses q * total.
     */
    public double quantile(double q) {
        double target = q * total;
        long run = 0;
        for (int i = 0; i < counts.length; i++) {
            if (run + counts[i] >= target && counts[i] > 0) {
                double within = (target - run) / counts[i];
                return Math.max(min, Math.min(max, edge(i) + Math.max(0, within) * width));
            }
            run += counts[i];
        }
        return max;
    }

    @Override
    public String toString() {
        return "Histogram[" + counts.length + " bins from " + origin + " width " + width + ", total " + total + "] "
                + Arrays.toString(Arrays.copyOf(counts, Math.min(8, counts.length))) + "...";
    }
}
