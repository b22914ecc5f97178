package dev.minnow.kernels;

/**
 * SGEMM entry point used by every op: C = alpha * op(A) * op(B) + beta * C, row-major,
 * same contract as {@link GemmNaive}. Large shapes run the packed, cache-blocked Vector API
 * kernel ({@link GemmVector}); tiny or skinny shapes (say M = 1) skip packing; without the
 * Vector API module everything runs {@link GemmScalar}. Work is split over the shared pool
 * along M or N (whichever has more register blocks), each thread packing into its own buffers.
 */
public final class Gemm {
    /** Below this many multiply-adds a call runs on the calling thread. */
    static final long PARALLEL_MIN_MACS = 1L << 18;
    /** At or below this many multiply-adds packing does not pay for itself. */
    static final long SMALL_MACS = 24L * 24 * 24;

    private Gemm() {
    }

    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        if (M <= 0 || N <= 0) {
            return;
        }
        long macs = (long) M * N * K;
        if (!VectorSupport.AVAILABLE) {
            int minRows = (int) Math.max(1, PARALLEL_MIN_MACS / Math.max(1L, (long) N * K));
            Parallel.forRange(M, minRows, (from, to) -> GemmScalar.rows(transA, transB, from, to, N, K, alpha,
                    A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc));
            return;
        }
        boolean small = macs <= SMALL_MACS || M < GemmVector.MR / 2 || N < GemmVector.V;
        int mBlock = small ? 1 : GemmVector.MR;
        int nBlock = small ? GemmVector.V : GemmVector.NR;
        int mBlocks = (M + mBlock - 1) / mBlock;
        int nBlocks = (N + nBlock - 1) / nBlock;
        boolean splitM = mBlocks >= nBlocks;
        int blocks = macs < PARALLEL_MIN_MACS ? 1 : (splitM ? mBlocks : nBlocks);
        Parallel.forRange(blocks, 1, (from, to) -> {
            int m0 = 0;
            int m1 = M;
            int n0 = 0;
            int n1 = N;
            if (blocks > 1 && splitM) {
                m0 = from * mBlock;
                m1 = Math.min(M, to * mBlock);
            } else if (blocks > 1) {
                n0 = from * nBlock;
                n1 = Math.min(N, to * nBlock);
            }
            if (small) {
                GemmVector.small(transA, transB, m0, m1, n0, n1, K, alpha, A, aOff, lda, B, bOff, ldb,
                        beta, C, cOff, ldc);
            } else {
                GemmVector.tile(transA, transB, m0, m1, n0, n1, K, alpha, A, aOff, lda, B, bOff, ldb,
                        beta, C, cOff, ldc);
            }
        });
    }

    /** C[off .. off+n) *= beta, with beta == 0 clearing (so NaNs in C do not survive). */
    static void scaleRow(float[] c, int off, int n, float beta) {
        if (beta == 0) {
            java.util.Arrays.fill(c, off, off + n, 0f);
        } else if (beta != 1) {
            for (int j = 0; j < n; j++) {
                c[off + j] *= beta;
            }
        }
    }
}
