package dev.minnow.data;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;

/**
 * Per-channel mean and standard deviation, applied as (x - mean[c]) / std[c] to [0,1] pixels.
 * The arrays are copied in and out, so a Normalization never changes.
 */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new InvalidInputException("normalization needs one mean and one std per channel, got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new InvalidInputException("normalization std must be > 0, got " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    public int channels() {
        return mean.length;
    }

    /** Same normalization for every one of {@code channels} channels. */
    public static Normalization uniform(int channels, float mean, float std) {
        float[] m = new float[channels];
        float[] s = new float[channels];
        Arrays.fill(m, mean);
        Arrays.fill(s, std);
        return new Normalization(m, s);
    }

    /** Normalizes one CHW sample of {@code planeSize} = H*W pixels per channel, in place. */
    public void applyInPlace(float[] chw, int offset, int planeSize) {
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float inv = 1f / std[c];
            int base = offset + c * planeSize;
            for (int i = 0; i < planeSize; i++) {
                chw[base + i] = (chw[base + i] - m) * inv;
            }
        }
    }

    /**
     * Mean and (population) standard deviation per channel over up to {@code maxSamples} samples of
     * the dataset, taken evenly spaced so the estimate does not depend on the order of classes.
     */
    public static Normalization estimate(Dataset data, int maxSamples) {
        int n = data.size();
        if (n == 0) {
            throw new InvalidInputException("cannot estimate a normalization from an empty dataset");
        }
        int channels = data.sampleShape().dim(0);
        int sampleSize = data.sampleShape().sizeInt();
        int plane = sampleSize / channels;
        int take = Math.min(n, Math.max(1, maxSamples));
        double[] sum = new double[channels];
        double[] sumSq = new double[channels];
        float[] buf = new float[sampleSize];
        for (int k = 0; k < take; k++) {
            int index = (int) ((long) k * n / take);
            data.copySample(index, buf, 0);
            for (int c = 0; c < channels; c++) {
                for (int i = c * plane, end = i + plane; i < end; i++) {
                    sum[c] += buf[i];
                    sumSq[c] += (double) buf[i] * buf[i];
                }
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double count = (double) take * plane;
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            double var = Math.max(0, sumSq[c] / count - m * m);
            mean[c] = (float) m;
            std[c] = (float) Math.max(Math.sqrt(var), 1e-6);
        }
        return new Normalization(mean, std);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
