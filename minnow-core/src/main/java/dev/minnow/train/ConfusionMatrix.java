package dev.minnow.train;

/** Counts of (actual class, predicted class) pairs; rows are actual classes. */
public final class ConfusionMatrix {
    private final int classes;
    private final long[] counts;

    public ConfusionMatrix(int classes) {
        this.classes = classes;
        this.counts = new long[classes * classes];
    }

    public void add(int actual, int predicted) {
        counts[actual * classes + predicted]++;
    }

    public int classes() {
        return classes;
    }

    public long count(int actual, int predicted) {
        return counts[actual * classes + predicted];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    /** Fraction on the diagonal (top-1 accuracy); 0 when empty. */
    public double accuracy() {
        long diag = 0;
        for (int i = 0; i < classes; i++) {
            diag += count(i, i);
        }
        long t = total();
        return t == 0 ? 0 : (double) diag / t;
    }

    /** A copy as rows of actual classes. */
    public long[][] toArray() {
        long[][] r = new long[classes][classes];
        for (int i = 0; i < classes; i++) {
            System.arraycopy(counts, i * classes, r[i], 0, classes);
        }
        return r;
    }
}
