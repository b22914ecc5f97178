package dev.minnow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM on the Vector API (same contract as {@link GemmNaive}); only
 * reached when {@link VectorSupport#AVAILABLE}. Loop nest as in BLIS / Goto:
 * <pre>
 *   for jc over N by NC                      (tile columns)
 *     for pc over K by KC:  pack op(B)[KC x NC] -> bp in NR-wide panels   (stays in L2/L3)
 *       for ic over M by MC: pack alpha*op(A)[MC x KC] -> ap in MR-tall panels (stays in L2)
 *         for jr over NC by NR, ir over MC by MR: micro-kernel C[MR x NR] += ap-panel * bp-panel
 * </pre>
 * The transposes are absorbed by the packing routines, so the micro-kernel sees one layout:
 * ap panel = [KC][MR] (rows of A interleaved), bp panel = [KC][NR] (columns of B contiguous).
 * Panels are zero-padded to MR/NR so edge tiles run the same kernel and store through a tile.
 */
final class GemmVector {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int V = S.length();
    static final int MR = 8;
    static final int NR = 2 * V;
    static final int KC = 256;
    static final int MC = 96;
    static final int NC = 512;

    /** Per-thread packing buffers (ap, bp, edge tile, bias of a row block), grown on demand and reused. */
    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(
            () -> new float[][] {new float[MC * KC], new float[0], new float[MR * NR], new float[MR]});

    private GemmVector() {
    }

    /**
     * Computes the C tile rows [m0, m1) x columns [n0, n1): C = alpha*op(A)*op(B) + beta*C.
     * Row-major; M/N/K as in {@link GemmNaive}.
     */
    static void tile(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int K, float alpha,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float beta, float[] C, int cOff, int ldc) {
        tile(transA, transB, m0, m1, n0, n1, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, null, 0, null,
                null, 0);
    }

    /**
     * As above; when packed is non-null it holds alpha*op(A) already packed by {@link #packAll}
     * for paRows = roundUp(M, MR) rows, and A/alpha/transA are not read. A non-null epilogue is
     * applied to each C element as it is finished (see {@link Gemm.Epilogue}). When packedB is
     * non-null it holds op(B) packed by {@link #packAllB} for pbCols = roundUp(N, NR) columns, and
     * B/transB are not read (n0 must then be a multiple of NR).
     */
    static void tile(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int K, float alpha,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                     float beta, float[] C, int cOff, int ldc, float[] packed, int paRows, Gemm.Epilogue epi,
                     float[] packedB, int pbCols) {
        // beta == 0: the first K block stores without reading C, so C needs no clearing pass
        boolean accumulate = beta != 0;
        if (accumulate) {
            for (int i = m0; i < m1; i++) {
                Gemm.scaleRow(C, cOff + i * ldc + n0, n1 - n0, beta);
            }
        }
        if (K == 0 || alpha == 0) {
            for (int i = m0; i < m1; i++) {
                if (!accumulate) {
                    java.util.Arrays.fill(C, cOff + i * ldc + n0, cOff + i * ldc + n1, 0f);
                }
                if (epi != null) {
                    epi.applyRow(C, cOff + i * ldc + n0, n1 - n0, i, n0);
                }
            }
            return;
        }
        float[][] buf = BUFFERS.get();
        float[] ap = buf[0];
        int bpNeed = KC * roundUp(Math.min(NC, n1 - n0), NR);
        if (buf[1].length < bpNeed) {
            buf[1] = new float[bpNeed];
        }
        float[] bp = packedB != null ? packedB : buf[1];
        float[] tile = buf[2];
        float[] rowBias = buf[3];
        float lo = epi == null ? Float.NEGATIVE_INFINITY : epi.lo();
        float hi = epi == null ? Float.POSITIVE_INFINITY : epi.hi();
        boolean clamp = epi != null && epi.clamps();
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < K; pc += KC) {
                int kc = Math.min(KC, K - pc);
                boolean first = pc == 0;
                boolean last = pc + kc >= K;
                // the panel of columns [j, j + NR) of this K block starts at b0 + j * kc
                int b0 = packedB != null ? pc * pbCols : -jc * kc;
                if (packedB == null) {
                    packB(transB, B, bOff, ldb, pc, kc, jc, nc, bp, 0);
                }
                for (int ic = m0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    float[] a = ap;
                    int a0 = 0;
                    if (packed == null) {
                        packA(transA, A, aOff, lda, ic, mc, pc, kc, alpha, ap, 0);
                    } else {
                        a = packed;
                        a0 = pc * paRows + ic * kc;
                    }
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bBase = b0 + (jc + jr) * kc;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            if (first && epi != null) {
                                epi.biasOf(ic + ir, mr, rowBias);
                            }
                            microKernel(kc, a, a0 + (ir / MR) * MR * kc, bp, bBase,
                                    C, cOff + (ic + ir) * ldc + jc + jr, ldc, mr, nr, tile,
                                    accumulate || !first, first && epi != null ? rowBias : null,
                                    first && epi != null ? epi.colBias() : null, jc + jr, last && clamp, lo, hi);
                        }
                    }
                }
            }
        }
    }

    /**
     * alpha*op(A) (M x K) packed once in the layout {@link #tile} reads: for each KC block starting
     * at pc, MR-row panels [kc][MR], the panel of rows [i0, i0+MR) at pc * roundUp(M, MR) + i0 * kc.
     */
    static float[] packAll(boolean transA, int M, int K, float alpha, float[] A, int aOff, int lda) {
        int rows = roundUp(M, MR);
        float[] p = new float[rows * K];
        for (int pc = 0; pc < K; pc += KC) {
            int kc = Math.min(KC, K - pc);
            packA(transA, A, aOff, lda, 0, M, pc, kc, alpha, p, pc * rows);
        }
        return p;
    }

    /**
     * op(B) (K x N) packed once in the layout {@link #tile} reads: for each KC block starting at
     * pc, NR-column panels [kc][NR], the panel of columns [j0, j0+NR) at pc * roundUp(N, NR) + j0 * kc.
     */
    static float[] packAllB(boolean transB, int K, int N, float[] B, int bOff, int ldb) {
        int cols = roundUp(N, NR);
        float[] p = new float[cols * K];
        for (int pc = 0; pc < K; pc += KC) {
            int kc = Math.min(KC, K - pc);
            packB(transB, B, bOff, ldb, pc, kc, 0, N, p, pc * cols);
        }
        return p;
    }

    static int roundUp(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** bp[bpOff + panel*NR*kc + k*NR + c] = op(B)[pc + k, jc + panel*NR + c], zero beyond nc. */
    private static void packB(boolean transB, float[] B, int bOff, int ldb, int pc, int kc, int jc, int nc,
                              float[] bp, int bpOff) {
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int nr = Math.min(NR, nc - j0);
            int base = bpOff + j0 * kc;
            if (!transB) {
                int src = bOff + pc * ldb + jc + j0;
                if (nr == NR) {
                    for (int k = 0; k < kc; k++, src += ldb) {
                        for (int v = 0; v < NR; v += V) {
                            FloatVector.fromArray(S, B, src + v).intoArray(bp, base + k * NR + v);
                        }
                    }
                } else {
                    for (int k = 0; k < kc; k++, src += ldb) {
                        int d = base + k * NR;
                        System.arraycopy(B, src, bp, d, nr);
                        java.util.Arrays.fill(bp, d + nr, d + NR, 0f);
                    }
                }
            } else {
                for (int c = 0; c < NR; c++) {
                    if (c < nr) {
                        int src = bOff + (jc + j0 + c) * ldb + pc;
                        for (int k = 0; k < kc; k++) {
                            bp[base + k * NR + c] = B[src + k];
                        }
                    } else {
                        for (int k = 0; k < kc; k++) {
                            bp[base + k * NR + c] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** ap[panel][k][r] = alpha * op(A)[ic + panel*MR + r, pc + k], zero beyond mc. */
    private static void packA(boolean transA, float[] A, int aOff, int lda, int ic, int mc, int pc, int kc,
                              float alpha, float[] ap, int apOff) {
        for (int i0 = 0; i0 < mc; i0 += MR) {
            int mr = Math.min(MR, mc - i0);
            int base = apOff + i0 * kc;
            if (transA) {
                for (int k = 0; k < kc; k++) {
                    int src = aOff + (pc + k) * lda + ic + i0;
                    int d = base + k * MR;
                    for (int r = 0; r < mr; r++) {
                        ap[d + r] = alpha * A[src + r];
                    }
                    for (int r = mr; r < MR; r++) {
                        ap[d + r] = 0f;
                    }
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r < mr) {
                        int src = aOff + (ic + i0 + r) * lda + pc;
                        for (int k = 0; k < kc; k++) {
                            ap[base + k * MR + r] = alpha * A[src + k];
                        }
                    } else {
                        for (int k = 0; k < kc; k++) {
                            ap[base + k * MR + r] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Stores a finished micro-tile (tile[r * NR + j] for r < mr, j < nr) into C: c = (accumulate ?
     * c : 0) + tile + bias[r] + colBias[col0 + j] (biases nullable), clamped to [lo, hi] when clamp. Kept apart from the
     * micro-kernel so that both stay small enough for the JIT to compile them fully (with the
     * epilogue inside, the micro-kernel's vectors were sometimes left un-intrinsified: 50x slower).
     */
    private static void storeTile(float[] tile, float[] c, int cOff, int ldc, int mr, int nr, boolean accumulate,
                                  float[] bias, float[] colBias, int col0, boolean clamp, float lo, float hi) {
        if (nr == NR) {
            // column bias (channel-last outputs: the bias runs along each row), zero without one
            FloatVector cb0 = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, col0);
            FloatVector cb1 = colBias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, colBias, col0 + V);
            for (int r = 0; r < mr; r++) {
                float b = bias == null ? 0f : bias[r];
                int o = cOff + r * ldc;
                FloatVector v0 = FloatVector.fromArray(S, tile, r * NR).add(b).add(cb0);
                FloatVector v1 = FloatVector.fromArray(S, tile, r * NR + V).add(b).add(cb1);
                if (accumulate) {
                    v0 = v0.add(FloatVector.fromArray(S, c, o));
                    v1 = v1.add(FloatVector.fromArray(S, c, o + V));
                }
                if (clamp) {
                    v0 = v0.max(lo).min(hi);
                    v1 = v1.max(lo).min(hi);
                }
                v0.intoArray(c, o);
                v1.intoArray(c, o + V);
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            float b = bias == null ? 0f : bias[r];
            int o = cOff + r * ldc;
            for (int j = 0; j < nr; j++) {
                float v = tile[r * NR + j] + b + (colBias == null ? 0f : colBias[col0 + j]) + (accumulate ? c[o + j] : 0f);
                c[o + j] = clamp ? Math.min(Math.max(v, lo), hi) : v;
            }
        }
    }

    /**
     * The 8 x 2V register-blocked micro-kernel: tile = Ap-panel * Bp-panel over kc (tile[r * NR + j]),
     * then {@link #storeTile} puts it into C[mr x nr] with the epilogue.
     */
    private static void microKernel(int kc, float[] ap, int aBase, float[] bp, int bBase,
                                    float[] c, int cOff, int ldc, int mr, int nr, float[] tile,
                                    boolean accumulate, float[] bias, float[] colBias, int col0, boolean clamp,
                                    float lo, float hi) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int a = aBase;
        int b = bBase;
        for (int p = 0; p < kc; p++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, b);
            FloatVector b1 = FloatVector.fromArray(S, bp, b + V);
            FloatVector a0 = FloatVector.broadcast(S, ap[a + 0]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[a + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[a + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[a + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[a + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[a + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[a + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[a + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + V);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + V);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + V);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + V);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + V);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + V);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + V);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + V);
        storeTile(tile, c, cOff, ldc, mr, nr, accumulate, bias, colBias, col0, clamp, lo, hi);
    }


    /**
     * Small-matrix path without packing (tiny or skinny shapes, e.g. M = 1): computes the C tile
     * rows [m0, m1) x columns [n0, n1) with vector axpy (B not transposed) or dot products (B^T).
     */
    static void small(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int K, float alpha,
                      float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                      float beta, float[] C, int cOff, int ldc) {
        int n = n1 - n0;
        float[] row = transA && transB ? new float[K] : null;
        for (int i = m0; i < m1; i++) {
            int ci = cOff + i * ldc + n0;
            if (!transB) {
                Gemm.scaleRow(C, ci, n, beta);
                for (int k = 0; k < K; k++) {
                    float a = alpha * (transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k]);
                    if (a != 0) {
                        axpy(a, B, bOff + k * ldb + n0, C, ci, n);
                    }
                }
            } else {
                float[] ar = A;
                int ao = aOff + i * lda;
                if (transA) {
                    for (int k = 0; k < K; k++) {
                        row[k] = A[aOff + k * lda + i];
                    }
                    ar = row;
                    ao = 0;
                }
                for (int j = 0; j < n; j++) {
                    float d = alpha * dot(ar, ao, B, bOff + (n0 + j) * ldb, K);
                    C[ci + j] = beta == 0 ? d : d + beta * C[ci + j];
                }
            }
        }
    }

    /** y[yo .. yo+n) += a * x[xo .. xo+n). */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int j = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); j < bound; j += V) {
            av.fma(FloatVector.fromArray(S, x, xo + j), FloatVector.fromArray(S, y, yo + j)).intoArray(y, yo + j);
        }
        if (j < n) {
            // the tail as one masked operation: short rows (a 56-wide feature map) would
            // otherwise spend most of their time in scalar code
            VectorMask<Float> m = S.indexInRange(j, n);
            av.fma(FloatVector.fromArray(S, x, xo + j, m), FloatVector.fromArray(S, y, yo + j, m)).intoArray(y, yo + j, m);
        }
    }

    /** Sum of x[xo+k] * y[yo+k] over k < n. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int k = 0;
        for (int bound = n - 2 * V; k <= bound; k += 2 * V) {
            s0 = FloatVector.fromArray(S, x, xo + k).fma(FloatVector.fromArray(S, y, yo + k), s0);
            s1 = FloatVector.fromArray(S, x, xo + k + V).fma(FloatVector.fromArray(S, y, yo + k + V), s1);
        }
        if (k + V <= n) {
            s0 = FloatVector.fromArray(S, x, xo + k).fma(FloatVector.fromArray(S, y, yo + k), s0);
            k += V;
        }
        // lanes summed in a fixed order: reduceLanes(ADD) leaves the order open, and the JIT's
        // intrinsic and the interpreted fallback differ, so results would change run to run
        FloatVector sum = s0.add(s1);
        float s = 0;
        for (int lane = 0; lane < V; lane++) {
            s += sum.lane(lane);
        }
        for (; k < n; k++) {
            s += x[xo + k] * y[yo + k];
        }
        return s;
    }
}
