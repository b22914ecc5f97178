package dev.minnow.kernels;

/**
 * Int8 matrix product C[M x N] (int32, row-major) = A[M x K] * B[K x N] over 8-bit codes, exact
 * (same integers as {@link Int8GemmNaive}); at most one operand may be uint8, the other int8, so
 * every product fits in a short (|a * b| <= 255 * 128). No zero points: callers subtract them
 * with row / column sums, which keeps the operands 8-bit.
 *
 * <p>Both operands are packed so that two consecutive k sit side by side (the pair trick): A as
 * [row panel][k pair][MR] ints, each int the two codes a[k], a[k+1] as its low and high short;
 * B as [column panel][k pair][NR][2] shorts. Broadcasting an A int and multiplying it, as
 * shorts, with a B vector gives two products per int lane (Int8GemmVector sums them). Loop nest
 * (Goto / BLIS): columns split over {@link Parallel} by panels; per NCP panels and per KC2 k
 * pairs a block of B is packed (stays in L2), then every A panel x B panel tile runs the
 * micro-kernel. Constant weights are packed once ({@link #packRows}, {@link #packCols}).
 */
public final class Int8Gemm {
    /** Rows per A panel (micro-kernel height). */
    static final int MR = 4;
    /** Int lanes per vector; a micro-kernel tile is two vectors (NR columns) wide. */
    static final int IL = VectorSupport.AVAILABLE ? Int8GemmVector.lanes() : 8;
    static final int NR = 2 * IL;
    /** k pairs per packed B block (512 k). */
    static final int KC2 = 256;
    /** Column panels per packed B block (KC2 * 2 * NR * NCP shorts, about 256 KB). */
    static final int NCP = Math.max(1, 256 / NR);

    private Int8Gemm() {
    }

    /** A packed by {@link #packRows}: rows x depth codes, uint8 when unsigned. */
    public record PackedRows(int rows, int depth, boolean unsigned, int[] pairs) {
        int kpairs() {
            return (depth + 1) / 2;
        }
    }

    /** B packed by {@link #packCols}: depth x cols codes, uint8 when unsigned. */
    public record PackedCols(int depth, int cols, boolean unsigned, short[] lanes) {
        int kpairs() {
            return (depth + 1) / 2;
        }
    }

    private static int code(byte[] v, int i, boolean unsigned) {
        return unsigned ? v[i] & 0xff : v[i];
    }

    /** Packs A (M x K at aOff, row stride lda); rows past M and the odd k are zero. */
    public static PackedRows packRows(int M, int K, byte[] a, int aOff, int lda, boolean unsigned) {
        int k2 = (K + 1) / 2;
        int panels = (M + MR - 1) / MR;
        int[] pairs = new int[panels * k2 * MR];
        for (int i = 0; i < M; i++) {
            int base = (i / MR) * k2 * MR + i % MR;
            int row = aOff + i * lda;
            for (int t = 0; t < k2; t++) {
                int lo = code(a, row + 2 * t, unsigned);
                int hi = 2 * t + 1 < K ? code(a, row + 2 * t + 1, unsigned) : 0;
                pairs[base + t * MR] = (lo & 0xffff) | (hi << 16);
            }
        }
        return new PackedRows(M, K, unsigned, pairs);
    }

    /** Packs B (K x N at bOff, row stride ldb); columns past N and the odd k are zero. */
    public static PackedCols packCols(int K, int N, byte[] b, int bOff, int ldb, boolean unsigned) {
        int k2 = (K + 1) / 2;
        int panels = (N + NR - 1) / NR;
        short[] lanes = new short[panels * k2 * 2 * NR];
        packB(b, bOff, ldb, unsigned, K, N, 0, panels, 0, k2, lanes, k2);
        return new PackedCols(K, N, unsigned, lanes);
    }

    /**
     * Packs columns panels [p0, p1) x k pairs [t0, t0 + tb) of B into dst, panel p at
     * (p - p0) * panelK2 * 2NR + (t - t0) * 2NR.
     */
    private static void packB(byte[] b, int bOff, int ldb, boolean unsigned, int K, int N, int p0, int p1, int t0,
                              int tb, short[] dst, int panelK2) {
        for (int p = p0; p < p1; p++) {
            int j0 = p * NR;
            int cols = Math.min(NR, N - j0);
            int panel = (p - p0) * panelK2 * 2 * NR;
            for (int t = t0; t < t0 + tb; t++) {
                int d = panel + (t - t0) * 2 * NR;
                int k = 2 * t;
                int r0 = bOff + k * ldb + j0;
                boolean odd = k + 1 < K;
                for (int j = 0; j < cols; j++) {
                    dst[d + 2 * j] = (short) code(b, r0 + j, unsigned);
                    dst[d + 2 * j + 1] = odd ? (short) code(b, r0 + ldb + j, unsigned) : 0;
                }
                java.util.Arrays.fill(dst, d + 2 * cols, d + 2 * NR, (short) 0);
            }
        }
    }

    private static void requireOneUnsigned(boolean aUnsigned, boolean bUnsigned) {
        if (aUnsigned && bUnsigned) {
            throw new IllegalArgumentException("Int8Gemm: at most one operand may be uint8 (shift the other by 128)");
        }
    }

    /** C = A * B with A packed and B raw codes (K x N at bOff, row stride ldb). */
    public static void gemm(PackedRows a, int N, byte[] b, int bOff, int ldb, boolean bUnsigned,
                            int[] c, int cOff, int ldc) {
        requireOneUnsigned(a.unsigned(), bUnsigned);
        run(a.rows(), N, a.depth(), a.pairs(), b, bOff, ldb, bUnsigned, null, c, cOff, ldc);
    }

    /** C = A * B with A raw codes (M x K at aOff, row stride lda) and B packed. */
    public static void gemm(int M, byte[] a, int aOff, int lda, boolean aUnsigned, PackedCols b,
                            int[] c, int cOff, int ldc) {
        requireOneUnsigned(aUnsigned, b.unsigned());
        PackedRows pa = packRows(M, b.depth(), a, aOff, lda, aUnsigned);
        run(M, b.cols(), b.depth(), pa.pairs(), null, 0, 0, false, b.lanes(), c, cOff, ldc);
    }

    /** C = A * B, both raw (packs both). */
    public static void gemm(int M, int N, int K, byte[] a, int aOff, int lda, boolean aUnsigned,
                            byte[] b, int bOff, int ldb, boolean bUnsigned, int[] c, int cOff, int ldc) {
        gemm(packRows(M, K, a, aOff, lda, aUnsigned), N, b, bOff, ldb, bUnsigned, c, cOff, ldc);
    }

    private static final ThreadLocal<short[][]> BUFFER = ThreadLocal.withInitial(() -> new short[1][0]);

    private static void run(int M, int N, int K, int[] ap, byte[] b, int bOff, int ldb, boolean bUnsigned,
                            short[] packedB, int[] c, int cOff, int ldc) {
        if (M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            for (int i = 0; i < M; i++) {
                java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + N, 0);
            }
            return;
        }
        int k2 = (K + 1) / 2;
        int rowPanels = (M + MR - 1) / MR;
        int colPanels = (N + NR - 1) / NR;
        long macsPerPanel = (long) M * K * NR;
        int minChunk = (int) Math.max(1, (1L << 17) / Math.max(1, macsPerPanel));
        Parallel.forRange(colPanels, minChunk, (from, to) -> {
            int[] tile = new int[MR * NR];
            short[] buf = null;
            if (packedB == null) {
                short[][] holder = BUFFER.get();
                int need = Math.min(KC2, k2) * 2 * NR * NCP;
                if (holder[0].length < need) {
                    holder[0] = new short[need];
                }
                buf = holder[0];
            }
            for (int jp0 = from; jp0 < to; jp0 += NCP) {
                int jp1 = Math.min(to, jp0 + NCP);
                for (int t0 = 0; t0 < k2; t0 += KC2) {
                    int tb = Math.min(KC2, k2 - t0);
                    short[] bl;
                    int panelStride;
                    int bBase;
                    if (packedB == null) {
                        packB(b, bOff, ldb, bUnsigned, K, N, jp0, jp1, t0, tb, buf, tb);
                        bl = buf;
                        panelStride = tb * 2 * NR;
                        bBase = -jp0 * panelStride;
                    } else {
                        bl = packedB;
                        panelStride = k2 * 2 * NR;
                        bBase = t0 * 2 * NR;
                    }
                    for (int q = 0; q < rowPanels; q++) {
                        int mr = Math.min(MR, M - q * MR);
                        int ai = q * k2 * MR + t0 * MR;
                        for (int jp = jp0; jp < jp1; jp++) {
                            int nr = Math.min(NR, N - jp * NR);
                            int ci = cOff + q * MR * ldc + jp * NR;
                            if (VectorSupport.AVAILABLE) {
                                Int8GemmVector.micro(tb, ap, ai, bl, bBase + jp * panelStride, c, ci, ldc, mr, nr,
                                        t0 > 0, tile);
                            } else {
                                microScalar(tb, ap, ai, bl, bBase + jp * panelStride, c, ci, ldc, mr, nr, t0 > 0);
                            }
                        }
                    }
                }
            }
        });
    }

    /** The micro-kernel's contract in plain loops (used without the Vector API). */
    private static void microScalar(int tb, int[] a, int ai, short[] b, int bi, int[] c, int ci, int ldc, int mr,
                                    int nr, boolean accumulate) {
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                int acc = 0;
                for (int t = 0; t < tb; t++) {
                    int pair = a[ai + t * MR + r];
                    acc += (short) pair * b[bi + t * 2 * NR + 2 * j] + (pair >> 16) * b[bi + t * 2 * NR + 2 * j + 1];
                }
                int at = ci + r * ldc + j;
                c[at] = accumulate ? c[at] + acc : acc;
            }
        }
    }
}
