package dev.minnow.kernels;

/**
 * Reference for {@link Int8Gemm}: C[M x N] (int32, row-major, overwritten) = A[M x K] * B[K x N]
 * over 8-bit codes, A read as uint8 when aUnsigned (else int8), likewise B; no zero points (the
 * callers correct for them with row / column sums). Plain loops; the test oracle and the fallback
 * without the Vector API.
 */
public final class Int8GemmNaive {
    private Int8GemmNaive() {
    }

    public static void gemm(int M, int N, int K, byte[] a, int aOff, int lda, boolean aUnsigned,
                            byte[] b, int bOff, int ldb, boolean bUnsigned, int[] c, int cOff, int ldc) {
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                int acc = 0;
                for (int k = 0; k < K; k++) {
                    int av = aUnsigned ? a[aOff + i * lda + k] & 0xff : a[aOff + i * lda + k];
                    int bv = bUnsigned ? b[bOff + k * ldb + j] & 0xff : b[bOff + k * ldb + j];
                    acc += av * bv;
                }
                c[cOff + i * ldc + j] = acc;
            }
        }
    }
}
