package dev.minnow.kernels;

/**
 * Normalisation over contiguous blocks, the shared kernel of InstanceNormalization,
 * GroupNormalization and LayerNormalization. Legend: x, y, dy, dx are [blocks, size]; each block
 * is normalised by its own mean and population variance, then scaled and shifted:
 * y[b, j] = (x[b, j] - mean[b]) * invStd[b] * gamma[a] + beta[a] with the affine index
 * a = (b % bMod) * bMul + j / jDiv (so per channel, per group channel, or per position).
 * Blocks run in parallel; statistics are accumulated in double.
 */
public final class BlockNorm {
    private BlockNorm() {
    }

    /** Affine parameter index of element j of block b. */
    public static int affine(int b, int j, int bMod, int bMul, int jDiv) {
        return (b % bMod) * bMul + j / jDiv;
    }

    /** beta may be null (no shift); mean and invStd ([blocks]) receive the statistics. */
    public static void forward(int blocks, int size, float[] x, float[] gamma, float[] beta, int bMod, int bMul, int jDiv,
                               float epsilon, float[] y, float[] mean, float[] invStd) {
        forward(true, blocks, size, x, gamma, beta, bMod, bMul, jDiv, epsilon, y, mean, invStd);
    }

    /**
     * As above; with centered = false the mean is taken as 0, so invStd = 1 / sqrt(mean(x^2) + epsilon)
     * (RMS normalisation) and mean[] receives zeros.
     */
    public static void forward(boolean centered, int blocks, int size, float[] x, float[] gamma, float[] beta, int bMod,
                               int bMul, int jDiv, float epsilon, float[] y, float[] mean, float[] invStd) {
        Parallel.forRange(blocks, Math.max(1, 4096 / Math.max(1, size)), (from, to) -> {
            for (int b = from; b < to; b++) {
                int o = b * size;
                double sum = 0;
                for (int j = 0; j < size; j++) {
                    sum += x[o + j];
                }
                double m = centered ? sum / size : 0;
                double sq = 0;
                for (int j = 0; j < size; j++) {
                    double t = x[o + j] - m;
                    sq += t * t;
                }
                float is = (float) (1 / Math.sqrt(sq / size + epsilon));
                mean[b] = (float) m;
                invStd[b] = is;
                for (int j = 0; j < size; j++) {
                    int a = affine(b, j, bMod, bMul, jDiv);
                    y[o + j] = (float) ((x[o + j] - m) * is * gamma[a] + (beta == null ? 0 : beta[a]));
                }
            }
        });
    }

    /**
     * dx (overwritten) from dy, and dgamma / dbeta (overwritten; dbeta may be null) summed over
     * every element that uses each affine parameter.
     */
    public static void backward(int blocks, int size, float[] x, float[] gamma, int bMod, int bMul, int jDiv,
                                float[] mean, float[] invStd, float[] dy, float[] dx, float[] dgamma, float[] dbeta) {
        backward(true, blocks, size, x, gamma, bMod, bMul, jDiv, mean, invStd, dy, dx, dgamma, dbeta);
    }

    /** As above; centered = false for RMS normalisation (no mean term). */
    public static void backward(boolean centered, int blocks, int size, float[] x, float[] gamma, int bMod, int bMul,
                                int jDiv, float[] mean, float[] invStd, float[] dy, float[] dx, float[] dgamma,
                                float[] dbeta) {
        Parallel.forRange(blocks, Math.max(1, 4096 / Math.max(1, size)), (from, to) -> {
            for (int b = from; b < to; b++) {
                int o = b * size;
                double sumG = 0;
                double sumGX = 0;
                for (int j = 0; j < size; j++) {
                    double g = dy[o + j] * gamma[affine(b, j, bMod, bMul, jDiv)];
                    sumG += g;
                    sumGX += g * (x[o + j] - mean[b]) * invStd[b];
                }
                for (int j = 0; j < size; j++) {
                    double xhat = (x[o + j] - mean[b]) * invStd[b];
                    double g = dy[o + j] * gamma[affine(b, j, bMod, bMul, jDiv)];
                    dx[o + j] = (float) (invStd[b] * (g - (centered ? sumG / size : 0) - xhat * sumGX / size));
                }
            }
        });
        java.util.Arrays.fill(dgamma, 0f);
        if (dbeta != null) {
            java.util.Arrays.fill(dbeta, 0f);
        }
        for (int b = 0; b < blocks; b++) {
            int o = b * size;
            for (int j = 0; j < size; j++) {
                int a = affine(b, j, bMod, bMul, jDiv);
                dgamma[a] += dy[o + j] * (x[o + j] - mean[b]) * invStd[b];
                if (dbeta != null) {
                    dbeta[a] += dy[o + j];
                }
            }
        }
    }
}
