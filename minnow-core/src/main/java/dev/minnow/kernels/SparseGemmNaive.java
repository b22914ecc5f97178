package dev.minnow.kernels;

/**
 * The plain-loop twin of {@link SparseGemm}: the test oracle and the path without the Vector API.
 * Sums run over a row's non-zeros in storage order, one float accumulator per output element.
 */
public final class SparseGemmNaive {
    private SparseGemmNaive() {
    }

    /** {@link SparseGemm#multiply} by plain loops, single-threaded. */
    public static void multiply(CsrMatrix w, float[] x, int xOff, int ldx, int n, float[] bias, float lo, float hi,
                                float[] y, int yOff, int ldy) {
        for (int r = 0; r < w.rows(); r++) {
            for (int q = 0; q < n; q++) {
                float s = 0f;
                for (int j = w.rowStart()[r]; j < w.rowStart()[r + 1]; j++) {
                    s += w.values()[j] * x[xOff + w.colIndex()[j] * ldx + q];
                }
                s += bias != null ? bias[r] : 0f;
                y[yOff + r * ldy + q] = Math.min(Math.max(s, lo), hi);
            }
        }
    }

    /** {@link SparseGemm#fullyConnected} by plain loops, single-threaded. */
    public static void fullyConnected(CsrMatrix w, float[] x, int xOff, int batch, float[] bias, float lo, float hi,
                                      float[] y, int yOff) {
        for (int i = 0; i < batch; i++) {
            for (int r = 0; r < w.rows(); r++) {
                float s = gatherDot(w.values(), w.colIndex(), w.rowStart()[r], w.rowStart()[r + 1], x, xOff + i * w.cols());
                s += bias != null ? bias[r] : 0f;
                y[yOff + i * w.rows() + r] = Math.min(Math.max(s, lo), hi);
            }
        }
    }

    /** Sum over j in [from, to) of val[j] * x[xOff + idx[j]]. */
    static float gatherDot(float[] val, int[] idx, int from, int to, float[] x, int xOff) {
        float s = 0f;
        for (int j = from; j < to; j++) {
            s += val[j] * x[xOff + idx[j]];
        }
        return s;
    }

    /** y[yr + q] = sum over j in [from, to) of val[j] * x[xOff + off[j] * offScale + q], q < n. */
    static void row(float[] val, int[] off, int offScale, int from, int to, float[] x, int xOff, float[] y, int yr, int n) {
        java.util.Arrays.fill(y, yr, yr + n, 0f);
        for (int j = from; j < to; j++) {
            float v = val[j];
            int xr = xOff + off[j] * offScale;
            for (int q = 0; q < n; q++) {
                y[yr + q] += v * x[xr + q];
            }
        }
    }
}
