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
        sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, null);
    }

    /**
     * A left operand op(A) (M x K) kept with its packed panels, for a matrix multiplied many times
     * (inference weights): {@link #sgemm(PackedA, int, float[], int, int, float, float[], int, int)}
     * then skips packing A. Holds a reference to A, which must not change while this is used.
     */
    public record PackedA(boolean transA, int M, int K, float[] a, int aOff, int lda, float[] packed) {
    }

    /** Packs op(A) (M x K, alpha = 1) once; without the Vector API only the reference is kept. */
    public static PackedA pack(boolean transA, int M, int K, float[] A, int aOff, int lda) {
        float[] p = VectorSupport.AVAILABLE && M > 0 && K > 0 ? GemmVector.packAll(transA, M, K, 1f, A, aOff, lda) : null;
        return new PackedA(transA, M, K, A, aOff, lda, p);
    }

    /** C = op(A) * op(B) + beta * C with op(A) from {@link #pack} (same result as the plain sgemm). */
    public static void sgemm(PackedA a, boolean transB, int N, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc) {
        sgemm(a, transB, N, B, bOff, ldb, beta, C, cOff, ldc, null);
    }

    /**
     * What is done to each element of C once its sum is complete, fused into the GEMM's store:
     * C[i][j] = min(max(C[i][j] + rowBias[biasOff + i] + colBias[j], lo), hi) (either bias may be
     * null; infinite bounds clamp nothing). A convolution's bias and ReLU/ReLU6 this way cost no
     * extra pass over its output: per row for NCHW outputs (Y = W * X), per column for channel-last
     * ones (Y^T = X^T * W^T, see {@link NhwcConv}).
     */
    public record Epilogue(float[] rowBias, int biasOff, float lo, float hi, float[] colBias) {
        /** Row bias (nullable) and clamp, no column bias. */
        public Epilogue(float[] rowBias, int biasOff, float lo, float hi) {
            this(rowBias, biasOff, lo, hi, null);
        }

        boolean clamps() {
            return lo != Float.NEGATIVE_INFINITY || hi != Float.POSITIVE_INFINITY;
        }

        /** dst[r] = bias of C row row0 + r for r < count (0 without a bias). */
        void biasOf(int row0, int count, float[] dst) {
            for (int r = 0; r < count; r++) {
                dst[r] = rowBias == null ? 0f : rowBias[biasOff + row0 + r];
            }
        }

        /** Applies the epilogue to n elements of C row `row` starting at c[off], which is column col0. */
        void applyRow(float[] c, int off, int n, int row, int col0) {
            float b = rowBias == null ? 0f : rowBias[biasOff + row];
            for (int j = 0; j < n; j++) {
                float v = c[off + j] + b + (colBias == null ? 0f : colBias[col0 + j]);
                c[off + j] = Math.min(Math.max(v, lo), hi);
            }
        }
    }

    /** As {@link #sgemm(PackedA, boolean, int, float[], int, int, float, float[], int, int)}, then the epilogue (nullable). */
    public static void sgemm(PackedA a, boolean transB, int N, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc, Epilogue epilogue) {
        sgemm(a.transA(), transB, a.M(), N, a.K(), 1f, a.a(), a.aOff(), a.lda(), B, bOff, ldb, beta, C, cOff, ldc,
                a.packed(), null, epilogue);
    }

    /**
     * A right operand op(B) (K x N) kept with its packed panels, for a matrix multiplied many times
     * from the right (inference weights in a channel-last product Y^T = X^T * W^T): {@link
     * #sgemm(boolean, int, float[], int, int, PackedB, float, float[], int, int, Epilogue)} then
     * skips packing B. Holds a reference to B, which must not change while this is used.
     */
    public record PackedB(boolean transB, int K, int N, float[] b, int bOff, int ldb, float[] packed) {
    }

    /** Packs op(B) (K x N) once; without the Vector API only the reference is kept. */
    public static PackedB packB(boolean transB, int K, int N, float[] B, int bOff, int ldb) {
        float[] p = VectorSupport.AVAILABLE && N > 0 && K > 0 ? GemmVector.packAllB(transB, K, N, B, bOff, ldb) : null;
        return new PackedB(transB, K, N, B, bOff, ldb, p);
    }

    /** C = op(A) * op(B) + beta * C (M x N) with op(B) from {@link #packB}, then the epilogue (nullable). */
    public static void sgemm(boolean transA, int M, float[] A, int aOff, int lda, PackedB b,
                             float beta, float[] C, int cOff, int ldc, Epilogue epilogue) {
        sgemm(transA, b.transB(), M, b.N(), b.K(), 1f, A, aOff, lda, b.b(), b.bOff(), b.ldb(), beta, C, cOff, ldc,
                null, b.packed(), epilogue);
    }

    /**
     * C = op(A) * op(B) (M x N, beta = 0) with both operands packed ({@link #pack}, {@link #packB}, or
     * written in the packed layout directly, as {@code Im2col.packedTransposed} does; a.packed() and
     * b.packed() must be non-null), then the epilogue (nullable).
     */
    public static void sgemm(PackedA a, PackedB b, float[] C, int cOff, int ldc, Epilogue epilogue) {
        if (a.packed() == null || b.packed() == null || a.K() != b.K()) {
            throw new IllegalArgumentException("both operands must be packed, with the same K");
        }
        sgemm(a.transA(), b.transB(), a.M(), b.N(), a.K(), 1f, a.a(), a.aOff(), a.lda(), b.b(), b.bOff(), b.ldb(),
                0f, C, cOff, ldc, a.packed(), b.packed(), epilogue);
    }

    /** Row granularity of {@link #sgemmRows}: ranges should start at multiples of it. */
    public static final int ROW_BLOCK = GemmVector.MR;

    /**
     * Rows [m0, m1) of C = op(A) * B (B not transposed, beta = 0) on the calling thread, A packed by
     * {@link #pack}; m0 must be a multiple of {@link #ROW_BLOCK}. For callers that split the rows of
     * one product over threads themselves.
     */
    public static void sgemmRows(PackedA a, int m0, int m1, int N, float[] B, int bOff, int ldb,
                                 float[] C, int cOff, int ldc) {
        if (m0 % ROW_BLOCK != 0) {
            throw new IllegalArgumentException("row range must start at a multiple of " + ROW_BLOCK + ", got " + m0);
        }
        if (m1 <= m0 || N <= 0) {
            return;
        }
        if (a.packed() == null) {
            GemmScalar.rows(a.transA(), false, m0, m1, N, a.K(), 1f, a.a(), a.aOff(), a.lda(), B, bOff, ldb,
                    0f, C, cOff, ldc);
            return;
        }
        GemmVector.tile(a.transA(), false, m0, m1, 0, N, a.K(), 1f, a.a(), a.aOff(), a.lda(), B, bOff, ldb,
                0f, C, cOff, ldc, a.packed(), GemmVector.roundUp(a.M(), GemmVector.MR), null, null, 0);
    }

    /** The plain sgemm followed by the epilogue (nullable) on every element of C. */
    public static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                             float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                             float beta, float[] C, int cOff, int ldc, Epilogue epilogue) {
        sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, null, null, epilogue);
    }

    private static void sgemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                              float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                              float beta, float[] C, int cOff, int ldc, float[] packed, float[] packedB,
                              Epilogue epi) {
        if (M <= 0 || N <= 0) {
            return;
        }
        long macs = (long) M * N * K;
        if (!VectorSupport.AVAILABLE) {
            int minRows = (int) Math.max(1, PARALLEL_MIN_MACS / Math.max(1L, (long) N * K));
            Parallel.forRange(M, minRows, (from, to) -> {
                GemmScalar.rows(transA, transB, from, to, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
                applyRows(epi, C, cOff, ldc, from, to, 0, N);
            });
            return;
        }
        // N between V/2 and V (e.g. 14 Winograd tiles) still runs the tile path with masked stores:
        // the unpacked path would do M * K short axpys (measured 25x slower there)
        // with both operands packed A and B may not be readable: always the tile path
        boolean small = (packed == null || packedB == null)
                && (macs <= SMALL_MACS || M < GemmVector.MR / 2 || N < GemmVector.V / 2);
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
                applyRows(epi, C, cOff, ldc, m0, m1, n0, n1);
            } else {
                GemmVector.tile(transA, transB, m0, m1, n0, n1, K, alpha, A, aOff, lda, B, bOff, ldb,
                        beta, C, cOff, ldc, packed, GemmVector.roundUp(M, GemmVector.MR), epi,
                        packedB, GemmVector.roundUp(N, GemmVector.NR));
            }
        });
    }

    private static void applyRows(Epilogue epi, float[] C, int cOff, int ldc, int m0, int m1, int n0, int n1) {
        if (epi != null) {
            for (int i = m0; i < m1; i++) {
                epi.applyRow(C, cOff + i * ldc + n0, n1 - n0, i, n0);
            }
        }
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
