package dev.minnow.hw.roofline;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Micro-benchmarks for the roofline, about two seconds in all: peak float32 FMA rate with the
 * Vector API (one core, then one thread per core) and streaming bandwidth (a read-only sum and
 * STREAM's triad) over arrays four times a 32 MB last-level cache. Each measurement is the
 * best of a few repetitions, so a neighbour's burst lowers it less. The numbers are what this
 * JVM reaches, which is what a Minnow kernel can hope for, not the vendor's datasheet.
 */
public final class MachineProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to cover FMA latency x issue width on current cores. */
    private static final int CHAINS = 12;
    /** Streaming work per call, so the kernels are hot methods (compiled) rather than one long OSR loop. */
    private static final int CHUNK = 1 << 16;
    private static final int STREAM_FLOATS = 32 << 20; // 128 MB per array, four times the L3

    private MachineProbe() {
    }

    public static Machine measure(int threads) {
        // warm-up: until C2 has compiled the loops the Vector API runs hundreds of times slower
        fmaGflops(threads, 300);
        double all = fmaGflops(threads, 300);
        double one = threads == 1 ? all : fmaGflops(1, 300);
        float[] a = new float[STREAM_FLOATS];
        float[] b = new float[STREAM_FLOATS];
        float[] c = new float[STREAM_FLOATS];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        float[] small = new float[1 << 16];
        for (int i = 0; i < 2000; i++) {
            triad(small, small, small, 0, small.length);
            sinkAdd(sum(small, 0, small.length));
        }
        double read = 0;
        double triad = 0;
        for (int rep = 0; rep < 3; rep++) {
            read = Math.max(read, streamGBs(threads, a, b, c, false));
            triad = Math.max(triad, streamGBs(threads, a, b, c, true));
        }
        String name = System.getProperty("os.arch") + ", " + threads + " threads, " + S.length() * 32 + "-bit vectors";
        // on a machine shared with other work the all-core round can come out below one core; the roof is the better
        return new Machine(name, threads, one, Math.max(one, all), read, triad);
    }

    /** GFLOP/s of FMAs on registers, all threads together, best of a few rounds of about {@code millis}/4. */
    static double fmaGflops(int threads, long millis) {
        double best = 0;
        for (int round = 0; round < 4; round++) {
            DoubleAdder flops = new DoubleAdder();
            long deadline = System.nanoTime() + millis * 250_000L;
            long t0 = System.nanoTime();
            runAll(threads, t -> flops.add(fmaLoop(deadline)));
            double sec = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, flops.sum() / sec / 1e9);
        }
        return best;
    }

    private static double sink;

    /** Runs FMA chains until the deadline; returns the FLOPs done. */
    private static double fmaLoop(long deadline) {
        long chunks = 0;
        float s = 0;
        while (System.nanoTime() < deadline) {
            s += fmaChunk(1 << 14, s * 1e-30f);
            chunks++;
        }
        sinkAdd(s);
        return 2.0 * chunks * (1 << 14) * CHAINS * S.length();
    }

    /**
     * Twelve independent FMA chains held in locals so C2 keeps them in registers; a small method
     * called many times, so it is compiled early and the measurement is of compiled code.
     */
    private static float fmaChunk(int iters, float seed) {
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector add = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f + seed);
        FloatVector a1 = a0.add(add);
        FloatVector a2 = a1.add(add);
        FloatVector a3 = a2.add(add);
        FloatVector a4 = a3.add(add);
        FloatVector a5 = a4.add(add);
        FloatVector a6 = a5.add(add);
        FloatVector a7 = a6.add(add);
        FloatVector a8 = a7.add(add);
        FloatVector a9 = a8.add(add);
        FloatVector a10 = a9.add(add);
        FloatVector a11 = a10.add(add);
        for (int k = 0; k < iters; k++) {
            a0 = a0.fma(m, add);
            a1 = a1.fma(m, add);
            a2 = a2.fma(m, add);
            a3 = a3.fma(m, add);
            a4 = a4.fma(m, add);
            a5 = a5.fma(m, add);
            a6 = a6.fma(m, add);
            a7 = a7.fma(m, add);
            a8 = a8.fma(m, add);
            a9 = a9.fma(m, add);
            a10 = a10.fma(m, add);
            a11 = a11.fma(m, add);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    private static synchronized void sinkAdd(float s) {
        sink += s; // keeps the JIT from dropping the loop
    }

    /** One pass over the arrays split across threads: GB/s of sum(b) or of a = b + s c. */
    static double streamGBs(int threads, float[] a, float[] b, float[] c, boolean triad) {
        int n = b.length;
        long t0 = System.nanoTime();
        runAll(threads, t -> {
            int from = (int) ((long) n * t / threads);
            int to = (int) ((long) n * (t + 1) / threads);
            float acc = 0;
            for (int i = from; i < to; i += CHUNK) {
                if (triad) {
                    triad(a, b, c, i, Math.min(to, i + CHUNK));
                } else {
                    acc += sum(b, i, Math.min(to, i + CHUNK));
                }
            }
            sinkAdd(acc);
        });
        double sec = (System.nanoTime() - t0) / 1e9;
        double bytes = (triad ? 12.0 : 4.0) * n;
        return bytes / sec / 1e9;
    }

    private static float sum(float[] b, int from, int to) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int i = from;
        int step = 2 * S.length();
        for (; i + step <= to; i += step) {
            acc0 = acc0.add(FloatVector.fromArray(S, b, i));
            acc1 = acc1.add(FloatVector.fromArray(S, b, i + S.length()));
        }
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            s += b[i];
        }
        return s;
    }

    private static void triad(float[] a, float[] b, float[] c, int from, int to) {
        int i = from;
        for (; i + S.length() <= to; i += S.length()) {
            FloatVector.fromArray(S, c, i).fma(FloatVector.broadcast(S, 3f), FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = Math.fma(c[i], 3f, b[i]);
        }
    }

    private interface Work {
        void run(int thread);
    }

    private static void runAll(int threads, Work w) {
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(Thread.ofPlatform().start(() -> w.run(id)));
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring", e);
            }
        }
    }
}
