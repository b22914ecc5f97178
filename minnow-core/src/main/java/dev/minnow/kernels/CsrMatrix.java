package dev.minnow.kernels;

import dev.minnow.errors.InvalidInputException;

/**
 * A sparse matrix in compressed sparse row form, held in memory for the sparse kernels (the
 * on-disk formats live in minnow-compress's encode package). Row r's non-zeros are
 * values[rowStart[r] .. rowStart[r + 1]) at columns colIndex[same range], columns increasing.
 * Exact zeros (and negative zeros) are dropped; NaN and infinities are kept as non-zeros.
 *
 * @param rows     number of rows (output features or output channels)
 * @param cols     number of columns (the reduction length K)
 * @param rowStart rows + 1 increasing offsets, rowStart[0] = 0, rowStart[rows] = nnz
 * @param colIndex column of each stored value
 * @param values   the stored values
 */
public record CsrMatrix(int rows, int cols, int[] rowStart, int[] colIndex, float[] values) {
    public CsrMatrix {
        if (rows < 0 || cols < 0 || rowStart.length != rows + 1 || rowStart[0] != 0
                || rowStart[rows] != values.length || colIndex.length != values.length) {
            throw new InvalidInputException("CSR matrix " + rows + " x " + cols + " with " + rowStart.length
                    + " row offsets, " + colIndex.length + " column indexes and " + values.length + " values is inconsistent");
        }
    }

    /** The non-zeros of the row-major [rows x cols] matrix a (from aOff, row stride cols), times scale. */
    public static CsrMatrix of(float[] a, int aOff, int rows, int cols, float scale) {
        return build(a, aOff, rows, cols, cols, 1, scale);
    }

    /**
     * The transpose of the row-major [k x n] matrix b, times scale: rows = n, cols = k. A Gemm
     * or MatMul whose weight is B (not transposed) multiplies by rows of B^T.
     */
    public static CsrMatrix ofTransposed(float[] b, int bOff, int k, int n, float scale) {
        return build(b, bOff, n, k, 1, n, scale);
    }

    /** Element (r, c) is a[off + r * rowStride + c * colStride]. */
    private static CsrMatrix build(float[] a, int off, int rows, int cols, int rowStride, int colStride, float scale) {
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (a[off + r * rowStride + c * colStride] != 0f) {
                    nnz++;
                }
            }
        }
        int[] start = new int[rows + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float v = a[off + r * rowStride + c * colStride];
                if (v != 0f) {
                    col[k] = c;
                    val[k++] = v * scale;
                }
            }
            start[r + 1] = k;
        }
        return new CsrMatrix(rows, cols, start, col, val);
    }

    /** Fraction of exact zeros among a's elements (0 for an empty array): the sparsity a CSR copy would have. */
    public static double zeroFraction(float[] a) {
        int zeros = 0;
        for (float v : a) {
            if (v == 0f) {
                zeros++;
            }
        }
        return a.length == 0 ? 0 : (double) zeros / a.length;
    }

    public int nnz() {
        return values.length;
    }

    /** Fraction of zero elements in [0, 1] (1 for an empty matrix). */
    public double sparsity() {
        long size = (long) rows * cols;
        return size == 0 ? 1 : 1 - (double) values.length / size;
    }

    /** The dense row-major [rows x cols] matrix (tests, fallbacks). */
    public float[] toDense() {
        float[] a = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = rowStart[r]; j < rowStart[r + 1]; j++) {
                a[r * cols + colIndex[j]] = values[j];
            }
        }
        return a;
    }
}
