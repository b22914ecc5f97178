package dev.minnow.kernels;

/**
 * Exact integer matrix product C = A * B (int accumulation, row-major, C overwritten).
 * M = rows of A and C, N = columns of B and C, K = the shared dimension; A is M x K at aOff,
 * B is K x N at bOff, C is M x N at cOff. Parallel over rows of C.
 */
public final class IntGemm {
    private IntGemm() {
    }

    public static void gemm(int M, int N, int K, int[] A, int aOff, int[] B, int bOff, int[] C, int cOff) {
        Parallel.forRange(M, Math.max(1, 4096 / Math.max(1, N * K)), (from, to) -> {
            for (int i = from; i < to; i++) {
                int ci = cOff + i * N;
                java.util.Arrays.fill(C, ci, ci + N, 0);
                for (int k = 0; k < K; k++) {
                    int a = A[aOff + i * K + k];
                    if (a == 0) {
                        continue;
                    }
                    int bk = bOff + k * N;
                    for (int j = 0; j < N; j++) {
                        C[ci + j] += a * B[bk + j];
                    }
                }
            }
        });
    }
}
