package dev.minnow.kernels;

/**
 * Sums over strided rows of floats for per-channel statistics (batch normalization: channel c of
 * an NCHW tensor is rows = N rows of len = H*W floats, row b at off + b * stride): vector lanes when
 * {@link VectorSupport#AVAILABLE}, else four scalar chains, in float within a row and in double
 * across rows, always in the same order, so results do not depend on the JIT.
 */
public final class RowSums {
    private RowSums() {
    }

    /** Sum of x over the rows. */
    public static double sum(float[] x, int off, int stride, int rows, int len) {
        if (VectorSupport.AVAILABLE) {
            return RowSumsVector.sum(x, off, stride, rows, len);
        }
        double s = 0;
        for (int b = 0; b < rows; b++) {
            s += scalarSum(x, off + b * stride, len);
        }
        return s;
    }

    /** Sum of (x - mean)^2 over the rows. */
    public static double squaredDeviation(float[] x, int off, int stride, int rows, int len, float mean) {
        if (VectorSupport.AVAILABLE) {
            return RowSumsVector.squaredDeviation(x, off, stride, rows, len, mean);
        }
        double s = 0;
        for (int b = 0; b < rows; b++) {
            s += scalarSquaredDeviation(x, off + b * stride, len, mean);
        }
        return s;
    }

    /** {sum of dy, sum of dy * (x - mean)} over the same rows of both arrays. */
    public static double[] gradientSums(float[] dy, float[] x, int off, int stride, int rows, int len, float mean) {
        if (VectorSupport.AVAILABLE) {
            return RowSumsVector.gradientSums(dy, x, off, stride, rows, len, mean);
        }
        double[] acc = new double[2];
        for (int b = 0; b < rows; b++) {
            scalarGradientSums(dy, x, off + b * stride, len, mean, acc);
        }
        return acc;
    }

    static void scalarGradientSums(float[] dy, float[] x, int off, int n, float mean, double[] acc) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        int i = off;
        for (int end = off + n - 3; i < end; i += 4) {
            s0 += dy[i]; s1 += dy[i + 1]; s2 += dy[i + 2]; s3 += dy[i + 3];
            t0 += dy[i] * (x[i] - mean); t1 += dy[i + 1] * (x[i + 1] - mean);
            t2 += dy[i + 2] * (x[i + 2] - mean); t3 += dy[i + 3] * (x[i + 3] - mean);
        }
        for (; i < off + n; i++) {
            s0 += dy[i];
            t0 += dy[i] * (x[i] - mean);
        }
        acc[0] += (s0 + s1) + (s2 + s3);
        acc[1] += (t0 + t1) + (t2 + t3);
    }

    static double scalarSum(float[] x, int off, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = off;
        for (int end = off + n - 3; i < end; i += 4) {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3];
        }
        for (; i < off + n; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double scalarSquaredDeviation(float[] x, int off, int n, float mean) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = off;
        for (int end = off + n - 3; i < end; i += 4) {
            float a = x[i] - mean, b = x[i + 1] - mean, c = x[i + 2] - mean, d = x[i + 3] - mean;
            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
        }
        for (; i < off + n; i++) {
            float a = x[i] - mean;
            s0 += a * a;
        }
        return (s0 + s1) + (s2 + s3);
    }
}
