package dev.minnow.kernels;

/**
 * Reference SGEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
 * M = rows of op(A) and C, N = columns of op(B) and C, K = the shared dimension.
 * lda/ldb/ldc are row strides of A, B, C as stored. The oracle for {@link Gemm}.
 */
public final class GemmNaive {
    private GemmNaive() {
    }

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double acc = 0;
                for (int k = 0; k < K; k++) {
                    float a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                    float b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                    acc += (double) a * b;
                }
                int c = cOff + i * ldc + j;
                C[c] = (float) (alpha * acc + (beta == 0 ? 0 : beta * C[c]));
            }
        }
    }
}
