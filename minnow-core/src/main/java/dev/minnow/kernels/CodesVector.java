package dev.minnow.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector API bodies of {@link Codes} (only linked when {@link VectorSupport#AVAILABLE}). */
final class CodesVector {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(V * 8));
    /**
     * 1.5 x 2^23: for |v| < 2^22, (v + M) - M is v rounded to an integer in float32's
     * round-half-to-even (the sum's unit in the last place is 1), i.e. Math.rint(v).
     */
    private static final float ROUNDER = 12582912f;

    private CodesVector() {
    }

    static void toFloats(byte[] src, int from, float[] dst, int at, int count, boolean unsigned, int zero) {
        int i = 0;
        if (I.length() == V) {
            FloatVector z = FloatVector.broadcast(F, zero);
            VectorOperators.Conversion<Byte, Integer> widen = unsigned ? VectorOperators.ZERO_EXTEND_B2I : VectorOperators.B2I;
            for (int bound = count - V; i <= bound; i += V) {
                IntVector w = (IntVector) ByteVector.fromArray(B, src, from + i).convertShape(widen, I, 0);
                ((FloatVector) w.convertShape(VectorOperators.I2F, F, 0)).sub(z).intoArray(dst, at + i);
            }
        }
        Codes.toFloatsScalar(src, from + i, dst, at + i, count - i, unsigned, zero);
    }

    static void requantize(float[] sums, int from, int count, float mul, int lo, int hi, int zero, byte[] out, int at) {
        int i = 0;
        if (I.length() == V) {
            FloatVector below = FloatVector.broadcast(F, lo - zero);
            FloatVector above = FloatVector.broadcast(F, hi - zero);
            FloatVector rounder = FloatVector.broadcast(F, ROUNDER);
            IntVector z = IntVector.broadcast(I, zero);
            for (int bound = count - V; i <= bound; i += V) {
                FloatVector v = FloatVector.fromArray(F, sums, from + i).mul(mul).max(below).min(above);
                v = v.add(rounder).sub(rounder); // |v| <= 510 here, well inside 2^22
                IntVector r = ((IntVector) v.convertShape(VectorOperators.F2I, I, 0)).add(z);
                ((ByteVector) r.convertShape(VectorOperators.I2B, B, 0)).intoArray(out, at + i);
            }
        }
        Codes.requantizeScalar(sums, from + i, count - i, mul, lo, hi, zero, out, at + i);
    }
}
