package dev.minnow.kernels;

/**
 * Sparse weights times dense activations, with the weights in {@link CsrMatrix} form.
 * <ul>
 * <li>{@link #multiply}: Y [rows x n] = W [rows x K] * X [K x n]. Each stored weight is broadcast
 * over a row of X: per output row, a tile of 4 vectors of Y stays in registers while the row's
 * non-zeros are summed (one broadcast, four loads and four FMAs per non-zero; no stores until the
 * row is done), so the loads, not the stores, set the pace. Serves the convolution (X = im2col
 * columns or shifted input planes, n = output positions) and batched fully connected layers.</li>
 * <li>{@link #fullyConnected}: Y [batch x rows] = X [batch x K] * W^T. One image is a sparse
 * matrix-vector product (the vector gathered at the row's column indexes); a batch is transposed
 * into X^T [K x batch] and goes through {@link #multiply}, so the batch is the vector direction.</li>
 * </ul>
 * Rows are split over the shared pool ({@link Parallel}). {@link SparseGemmNaive} is the twin.
 */
public final class SparseGemm {
    private SparseGemm() {
    }

    /** Below this many multiply-adds a parallel chunk costs more than it saves. */
    private static final int MIN_CHUNK_MACS = 16_384;

    /**
     * y[yOff + r * ldy + q] = clamp(bias[r] + sum over stored (r, k) of w(r, k) * x[xOff + k * ldx + q],
     * lo, hi) for r < w.rows, q < n. bias may be null; lo/hi may be infinite (no clamp).
     */
    public static void multiply(CsrMatrix w, float[] x, int xOff, int ldx, int n, float[] bias, float lo, float hi,
                                float[] y, int yOff, int ldy) {
        if (w.rows() == 0 || n == 0) {
            return;
        }
        int perRow = Math.max(1, (int) ((long) w.nnz() * n / w.rows()));
        Parallel.forRange(w.rows(), Math.max(1, MIN_CHUNK_MACS / perRow), (from, to) ->
                rows(w, from, to, w.colIndex(), ldx, x, xOff, n, bias, lo, hi, y, yOff, ldy));
    }

    /**
     * Rows [from, to) of y = W * X where non-zero j of W reads X's row starting at
     * xOff + off[j] * offScale: the column index times ldx for a plain product, or a precomputed
     * shift into padded input planes for the direct convolution.
     */
    static void rows(CsrMatrix w, int from, int to, int[] off, int offScale, float[] x, int xOff, int n,
                     float[] bias, float lo, float hi, float[] y, int yOff, int ldy) {
        int[] start = w.rowStart();
        float[] val = w.values();
        boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        for (int r = from; r < to; r++) {
            int yr = yOff + r * ldy;
            if (VectorSupport.AVAILABLE) {
                SparseGemmVector.row(val, off, offScale, start[r], start[r + 1], x, xOff, y, yr, n);
            } else {
                SparseGemmNaive.row(val, off, offScale, start[r], start[r + 1], x, xOff, y, yr, n);
            }
            float b = bias != null ? bias[r] : 0f;
            if (bias != null || clamp) {
                for (int q = yr; q < yr + n; q++) {
                    float v = y[q] + b;
                    y[q] = clamp ? Math.min(Math.max(v, lo), hi) : v;
                }
            }
        }
    }

    /**
     * y[yOff + i * w.rows + r] = clamp(bias[r] + sum over stored (r, k) of w(r, k) * x[xOff + i * w.cols + k],
     * lo, hi) for i < batch: a fully connected layer whose weight is [out, in] (ONNX Gemm with transB).
     */
    public static void fullyConnected(CsrMatrix w, float[] x, int xOff, int batch, float[] bias, float lo, float hi,
                                      float[] y, int yOff) {
        int m = w.rows();
        int k = w.cols();
        if (m == 0 || batch == 0) {
            return;
        }
        if (batch == 1) {
            boolean clamp = lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
            int perRow = Math.max(1, w.nnz() / m);
            Parallel.forRange(m, Math.max(1, MIN_CHUNK_MACS / perRow), (from, to) -> {
                int[] start = w.rowStart();
                for (int r = from; r < to; r++) {
                    float s = VectorSupport.AVAILABLE
                            ? SparseGemmVector.gatherDot(w.values(), w.colIndex(), start[r], start[r + 1], x, xOff)
                            : SparseGemmNaive.gatherDot(w.values(), w.colIndex(), start[r], start[r + 1], x, xOff);
                    s += bias != null ? bias[r] : 0f;
                    y[yOff + r] = clamp ? Math.min(Math.max(s, lo), hi) : s;
                }
            });
            return;
        }
        float[] xt = new float[k * batch];
        transpose(x, xOff, batch, k, xt);
        float[] yt = new float[m * batch];
        multiply(w, xt, 0, batch, batch, bias, lo, hi, yt, 0, batch);
        transpose(yt, 0, m, batch, y, yOff);
    }

    /** t[c * rows + r] = a[aOff + r * cols + c]: a [rows x cols] transposed, in blocks that stay in L1. */
    private static void transpose(float[] a, int aOff, int rows, int cols, float[] t) {
        transpose(a, aOff, rows, cols, t, 0);
    }

    private static void transpose(float[] a, int aOff, int rows, int cols, float[] t, int tOff) {
        final int blk = 32;
        for (int r0 = 0; r0 < rows; r0 += blk) {
            int r1 = Math.min(rows, r0 + blk);
            for (int c0 = 0; c0 < cols; c0 += blk) {
                int c1 = Math.min(cols, c0 + blk);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        t[tOff + c * rows + r] = a[aOff + r * cols + c];
                    }
                }
            }
        }
    }
}
