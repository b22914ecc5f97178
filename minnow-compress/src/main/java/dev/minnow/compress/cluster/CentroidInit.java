package dev.minnow.compress.cluster;

import dev.minnow.errors.InvalidInputException;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where k-means starts, as compared in Deep Compression (Han et al. 2016, section 3.2 and figure
 * 4). The paper found linear best: it keeps centroids at the rare large weights, which matter
 * most, where the other two crowd them into the dense middle of the distribution.
 * <ul>
 * <li>{@link #LINEAR}: k points evenly spaced between the smallest and largest value.</li>
 * <li>{@link #DENSITY}: the CDF spaced evenly on its y-axis, i.e. the quantiles at (i + 0.5) / k
 *     (nearest rank on the sorted values).</li>
 * <li>{@link #RANDOM} (Forgy): k distinct positions of the data chosen at random (seeded).</li>
 * </ul>
 */
public enum CentroidInit {
    LINEAR, DENSITY, RANDOM;

    /** Parses "linear", "density" or "random" (case-insensitive). */
    public static CentroidInit parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("unknown centroid initialization '" + s + "'; use linear, density or random");
        }
    }

    /**
     * The k starting centroids for {@code values}; {@code sorted} is the same values ascending
     * (the caller has it already). Needs 1 <= k <= values.length.
     */
    double[] initial(double[] values, double[] sorted, int k, long seed) {
        int n = sorted.length;
        double[] c = new double[k];
        switch (this) {
            case LINEAR -> {
                double lo = sorted[0];
                double hi = sorted[n - 1];
                for (int i = 0; i < k; i++) {
                    c[i] = k == 1 ? (lo + hi) / 2 : lo + (hi - lo) * i / (k - 1);
                }
            }
            case DENSITY -> {
                for (int i = 0; i < k; i++) {
                    c[i] = sorted[Math.min(n - 1, (int) Math.floor((i + 0.5) / k * n))];
                }
            }
            case RANDOM -> {
                // partial Fisher-Yates over positions: k distinct picks, the same for the same seed
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = i;
                }
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < k; i++) {
                    int j = i + r.nextInt(n - i);
                    int t = idx[i];
                    idx[i] = idx[j];
                    idx[j] = t;
                    c[i] = values[idx[i]];
                }
            }
        }
        return c;
    }
}
