package dev.minnow.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's single-core FP32 peak as the Vector API reaches it: twelve independent FMA
 * chains (enough to hide a 4-cycle FMA latency on two FMA pipes) on the preferred species.
 */
public final class FmaPeak {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int CHAINS = 12;

    private FmaPeak() {
    }

    /** Floating-point operations done by one {@link #run} call with this many iterations. */
    public static double flops(long iterations) {
        return 2.0 * CHAINS * S.length() * iterations;
    }

    /** Runs iterations x CHAINS vector FMAs; returns a value that depends on all of them. */
    public static float run(long iterations, float seed) {
        FloatVector a0 = FloatVector.broadcast(S, seed);
        FloatVector a1 = a0.add(1e-7f);
        FloatVector a2 = a0.add(2e-7f);
        FloatVector a3 = a0.add(3e-7f);
        FloatVector a4 = a0.add(4e-7f);
        FloatVector a5 = a0.add(5e-7f);
        FloatVector a6 = a0.add(6e-7f);
        FloatVector a7 = a0.add(7e-7f);
        FloatVector a8 = a0.add(8e-7f);
        FloatVector a9 = a0.add(9e-7f);
        FloatVector a10 = a0.add(1e-6f);
        FloatVector a11 = a0.add(1.1e-6f);
        FloatVector m = FloatVector.broadcast(S, 0.9999999f);
        FloatVector c = FloatVector.broadcast(S, 1e-8f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
