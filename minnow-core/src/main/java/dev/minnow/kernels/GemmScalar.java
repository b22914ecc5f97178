package dev.minnow.kernels;

/**
 * Plain-Java SGEMM (same contract as {@link GemmNaive}), used when the Vector API is absent.
 * Row-wise i-k-j loops that the JIT can auto-vectorize for the non-transposed B case.
 * Computes rows [m0, m1) of C.
 */
final class GemmScalar {
    private GemmScalar() {
    }

    static void rows(boolean transA, boolean transB, int m0, int m1, int N, int K, float alpha,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float beta, float[] C, int cOff, int ldc) {
        for (int i = m0; i < m1; i++) {
            int ci = cOff + i * ldc;
            Gemm.scaleRow(C, ci, N, beta);
            for (int k = 0; k < K; k++) {
                float a = alpha * (transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k]);
                if (a == 0) {
                    continue;
                }
                if (!transB) {
                    int bk = bOff + k * ldb;
                    for (int j = 0; j < N; j++) {
                        C[ci + j] += a * B[bk + j];
                    }
                } else {
                    for (int j = 0; j < N; j++) {
                        C[ci + j] += a * B[bOff + j * ldb + k];
                    }
                }
            }
        }
    }
}
