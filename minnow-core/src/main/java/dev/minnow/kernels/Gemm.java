package dev.minnow.kernels;

/**
 * SGEMM entry point used by every op: C = alpha * op(A) * op(B) + beta * C, row-major,
 * same contract as {@link GemmNaive}. Blocked and multi-threaded over rows of C.
 */
public final class Gemm {
    private Gemm() {
    }

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        Parallel.forRange(M, Math.max(1, 4096 / Math.max(1, N * K)), (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = cOff + i * ldc;
                if (beta == 0) {
                    java.util.Arrays.fill(C, ci, ci + N, 0f);
                } else if (beta != 1) {
                    for (int j = 0; j < N; j++) {
                        C[ci + j] *= beta;
                    }
                }
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
        });
    }
}
