package dev.minnow.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The micro-kernel of {@link Int8Gemm} on the Vector API (only linked when
 * {@link VectorSupport#AVAILABLE}): an MR x NR tile, NR = two int vectors.
 *
 * <p>Per k pair: an A int broadcast and read as shorts (a[k], a[k+1], a[k], ...) times a B vector
 * (b[k][j], b[k+1][j], ...) gives, per int lane j, the two products p0 (low short) and p1 (high
 * short) exactly. Java has no pairwise add (x86 vpmaddwd), so the lane's int is used as it is:
 * with the sign bit of its low short flipped, its value is x = 65536 p1 + p0 + 32768 exactly, and
 * x >> 16 = p1. Summing x and x >> 16 over T pairs in two int accumulators gives
 * p0 + p1 summed = sum(x) - 65535 sum(x >> 16) - 32768 T, exact modulo 2^32 and so exact whenever
 * the true sum fits in an int. Four vector ops per 2 * lanes multiply-adds (mul, xor, add, shift+add).
 */
final class Int8GemmVector {
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SS = VectorSpecies.of(short.class, IS.vectorShape());
    private static final int IL = IS.length();
    /** Shorts per vector. */
    private static final int SL = SS.length();
    private static final int MR = 4;
    private static final int FLIP = 0x8000;

    private Int8GemmVector() {
    }

    static int lanes() {
        return IL;
    }

    static void micro(int tb, int[] a, int ai, short[] b, int bi, int[] c, int ci, int ldc, int mr, int nr,
                      boolean accumulate, int[] tile) {
        IntVector x00 = IntVector.zero(IS);
        IntVector x01 = x00;
        IntVector x10 = x00;
        IntVector x11 = x00;
        IntVector x20 = x00;
        IntVector x21 = x00;
        IntVector x30 = x00;
        IntVector x31 = x00;
        IntVector h00 = x00;
        IntVector h01 = x00;
        IntVector h10 = x00;
        IntVector h11 = x00;
        IntVector h20 = x00;
        IntVector h21 = x00;
        IntVector h30 = x00;
        IntVector h31 = x00;
        for (int t = 0; t < tb; t++, ai += MR, bi += 2 * SL) {
            ShortVector b0 = ShortVector.fromArray(SS, b, bi);
            ShortVector b1 = ShortVector.fromArray(SS, b, bi + SL);
            ShortVector a0 = IntVector.broadcast(IS, a[ai]).reinterpretAsShorts();
            IntVector p = a0.mul(b0).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x00 = x00.add(p);
            h00 = h00.add(p.lanewise(VectorOperators.ASHR, 16));
            p = a0.mul(b1).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x01 = x01.add(p);
            h01 = h01.add(p.lanewise(VectorOperators.ASHR, 16));
            ShortVector a1 = IntVector.broadcast(IS, a[ai + 1]).reinterpretAsShorts();
            p = a1.mul(b0).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x10 = x10.add(p);
            h10 = h10.add(p.lanewise(VectorOperators.ASHR, 16));
            p = a1.mul(b1).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x11 = x11.add(p);
            h11 = h11.add(p.lanewise(VectorOperators.ASHR, 16));
            ShortVector a2 = IntVector.broadcast(IS, a[ai + 2]).reinterpretAsShorts();
            p = a2.mul(b0).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x20 = x20.add(p);
            h20 = h20.add(p.lanewise(VectorOperators.ASHR, 16));
            p = a2.mul(b1).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x21 = x21.add(p);
            h21 = h21.add(p.lanewise(VectorOperators.ASHR, 16));
            ShortVector a3 = IntVector.broadcast(IS, a[ai + 3]).reinterpretAsShorts();
            p = a3.mul(b0).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x30 = x30.add(p);
            h30 = h30.add(p.lanewise(VectorOperators.ASHR, 16));
            p = a3.mul(b1).reinterpretAsInts().lanewise(VectorOperators.XOR, FLIP);
            x31 = x31.add(p);
            h31 = h31.add(p.lanewise(VectorOperators.ASHR, 16));
        }
        int bias = 32768 * tb;
        boolean full = mr == MR && nr == 2 * IL;
        int[] dst = full ? c : tile;
        int ld = full ? ldc : 2 * IL;
        int d = full ? ci : 0;
        boolean add = full && accumulate;
        store(x00, h00, bias, dst, d, add);
        store(x01, h01, bias, dst, d + IL, add);
        store(x10, h10, bias, dst, d + ld, add);
        store(x11, h11, bias, dst, d + ld + IL, add);
        store(x20, h20, bias, dst, d + 2 * ld, add);
        store(x21, h21, bias, dst, d + 2 * ld + IL, add);
        store(x30, h30, bias, dst, d + 3 * ld, add);
        store(x31, h31, bias, dst, d + 3 * ld + IL, add);
        if (!full) {
            for (int r = 0; r < mr; r++) {
                for (int j = 0; j < nr; j++) {
                    int at = ci + r * ldc + j;
                    c[at] = accumulate ? c[at] + tile[r * ld + j] : tile[r * ld + j];
                }
            }
        }
    }

    private static void store(IntVector x, IntVector h, int bias, int[] dst, int at, boolean add) {
        IntVector sum = x.sub(h.mul(65535)).sub(bias);
        if (add) {
            sum = sum.add(IntVector.fromArray(IS, dst, at));
        }
        sum.intoArray(dst, at);
    }
}
