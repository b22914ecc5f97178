package dev.minnow.compress.cluster;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;

/**
 * Lloyd's algorithm on scalars: assign each value to its nearest centroid (the lower index on a
 * tie), move each centroid to the mean of its values (a centroid with none stays where it is),
 * until no assignment changes or {@code maxIterations} passes. Arithmetic is in double, so the
 * result is deterministic for a given input, k, initialization and seed, and agrees with the
 * PyTorch reference (tools/golden/kmeans_golden.py) that does the same steps in float64.
 *
 * <p>Assignment is a binary search over the midpoints of the sorted centroids, O(n log k) per
 * pass, so 256 clusters over a few hundred thousand conv weights stay cheap.
 */
public final class KMeans1D {
    public static final int DEFAULT_MAX_ITERATIONS = 100;

    private KMeans1D() {
    }

    /** Centroids (in initialization order), each value's cluster, and the passes it took. */
    public record Result(double[] centroids, int[] assignments, int iterations, boolean converged) {
    }

    /** Clusters {@code values} into at most k clusters (k is capped at the number of values). */
    public static Result fit(float[] values, int k, CentroidInit init, long seed, int maxIterations) {
        if (values.length == 0) {
            throw new InvalidInputException("k-means needs at least one value");
        }
        if (k < 1 || maxIterations < 1) {
            throw new InvalidInputException("k-means needs k >= 1 and at least one iteration; got k=" + k
                    + ", iterations=" + maxIterations);
        }
        int n = values.length;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = values[i];
        }
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        double[] c = init.initial(x, sorted, Math.min(k, n), seed);
        int[] a = new int[n];
        Arrays.fill(a, -1);
        for (int it = 1; it <= maxIterations; it++) {
            boolean changed = assign(x, c, a);
            if (!changed) {
                return new Result(c, a, it, true);
            }
            update(x, a, c);
        }
        return new Result(c, a, maxIterations, false);
    }

    /** Nearest centroid per value; returns whether any assignment changed. */
    static boolean assign(double[] x, double[] c, int[] a) {
        int k = c.length;
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        // ascending by position, equal positions by index, so ties go to the lower index like argmin
        Arrays.sort(order, (p, q) -> c[p] != c[q] ? Double.compare(c[p], c[q]) : Integer.compare(p, q));
        double[] pos = new double[k];
        for (int i = 0; i < k; i++) {
            pos[i] = c[order[i]];
        }
        boolean changed = false;
        for (int i = 0; i < x.length; i++) {
            int j = nearest(pos, x[i]);
            int best = order[j];
            double d = Math.abs(x[i] - pos[j]);
            // equal centroids, or an exact tie with the neighbour: argmin keeps the lowest index
            for (int m = j - 1; m >= 0 && Math.abs(x[i] - pos[m]) <= d; m--) {
                if (Math.abs(x[i] - pos[m]) < d || order[m] < best) {
                    d = Math.abs(x[i] - pos[m]);
                    best = order[m];
                }
            }
            for (int m = j + 1; m < k && Math.abs(x[i] - pos[m]) <= d; m++) {
                if (Math.abs(x[i] - pos[m]) < d || order[m] < best) {
                    d = Math.abs(x[i] - pos[m]);
                    best = order[m];
                }
            }
            if (a[i] != best) {
                a[i] = best;
                changed = true;
            }
        }
        return changed;
    }

    /** Index into the ascending {@code pos} of a closest position to v. */
    private static int nearest(double[] pos, double v) {
        int lo = 0;
        int hi = pos.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (v > pos[mid + 1]) {
                lo = mid + 1;
            } else if (v < pos[mid]) {
                hi = mid;
            } else {
                // between pos[mid] and pos[mid + 1]
                return Math.abs(v - pos[mid]) <= Math.abs(v - pos[mid + 1]) ? mid : mid + 1;
            }
        }
        return lo;
    }

    /** Each centroid to the mean of its values; empty clusters keep theirs. */
    static void update(double[] x, int[] a, double[] c) {
        double[] sum = new double[c.length];
        int[] count = new int[c.length];
        for (int i = 0; i < x.length; i++) {
            sum[a[i]] += x[i];
            count[a[i]]++;
        }
        for (int j = 0; j < c.length; j++) {
            if (count[j] > 0) {
                c[j] = sum[j] / count[j];
            }
        }
    }
}
