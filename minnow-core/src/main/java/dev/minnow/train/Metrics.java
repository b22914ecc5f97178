package dev.minnow.train;

import dev.minnow.tensor.Tensor;

/**
 * Accumulates classification metrics over batches: top-1 and top-5 hits, mean loss and the
 * confusion matrix. Ties between logits go to the lower class index (like argmax).
 */
public final class Metrics {
    private final int classes;
    private final ConfusionMatrix confusion;
    private long top1;
    private long top5;
    private double lossSum;
    private int samples;

    public Metrics(int classes) {
        this.classes = classes;
        this.confusion = new ConfusionMatrix(classes);
    }

    /** Adds the first {@code count} rows of logits [N, classes]; batchMeanLoss is the loss averaged over those rows. */
    public void add(Tensor logits, int[] labels, int count, double batchMeanLoss) {
        float[] z = logits.floats();
        int c = logits.size() / logits.shape().dim(0);
        if (c != classes) {
            throw new dev.minnow.errors.ShapeException("model outputs " + c + " classes but the dataset has " + classes);
        }
        for (int i = 0; i < count; i++) {
            int rank = rank(z, i * c, c, labels[i]);
            top1 += rank < 1 ? 1 : 0;
            top5 += rank < 5 ? 1 : 0;
            confusion.add(labels[i], argmax(z, i * c, c));
        }
        lossSum += batchMeanLoss * count;
        samples += count;
    }

    /** How many classes rank before {@code label}: higher logit, or equal logit and lower index. */
    static int rank(float[] z, int off, int c, int label) {
        float v = z[off + label];
        int r = 0;
        for (int j = 0; j < c; j++) {
            if (z[off + j] > v || (z[off + j] == v && j < label)) {
                r++;
            }
        }
        return r;
    }

    /** Index of the largest of z[off .. off + c - 1]; ties go to the lower index. */
    public static int argmax(float[] z, int off, int c) {
        int best = 0;
        for (int j = 1; j < c; j++) {
            if (z[off + j] > z[off + best]) {
                best = j;
            }
        }
        return best;
    }

    public int samples() {
        return samples;
    }

    public double meanLoss() {
        return samples == 0 ? 0 : lossSum / samples;
    }

    public EvalResult result() {
        return new EvalResult(samples == 0 ? 0 : (double) top1 / samples, samples == 0 ? 0 : (double) top5 / samples,
                meanLoss(), samples, confusion);
    }
}
