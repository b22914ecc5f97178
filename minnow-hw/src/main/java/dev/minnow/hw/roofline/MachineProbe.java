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
 * STREAM's triad) over arrays eight times a 32 MB last-level cache. Each measurement is the
 * best of a few repetitions, so a neighbour's burst lowers it less. The numbers are what this
 * JVM reaches, which is what a Minnow kernel can hope for, not the vendor's datasheet.
 */
public final class MachineProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to cover FMA latency x issue width on current cores. */
    private static final int CHAINS = 12;
    private static final int STREAM_FLOATS = 64 << 20; // 256 MB per array

    private MachineProbe() {
    }

    public static Machine measure(int threads) {
        double one = fmaGflops(1, 250);
        double all = threads == 1 ? one : fmaGflops(threads, 350);
        float[] a = new float[STREAM_FLOATS];
        float[] b = new float[STREAM_FLOATS];
        float[] c = new float[STREAM_FLOATS];
        java.util.Arrays.fill(b, 1f);
        java.util.Arrays.fill(c, 2f);
        double read = 0;
        double triad = 0;
        for (int rep = 0; rep < 3; rep++) {
            read = Math.max(read, streamGBs(threads, a, b, c, false));
            triad = Math.max(triad, streamGBs(threads, a, b, c, true));
        }
        String name = System.getProperty("os.arch") + ", " + threads + " threads, " + S.length() * 32 + "-bit vectors";
        return new Machine(name, threads, one, all, read, triad);
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
        FloatVector[] acc = new FloatVector[CHAINS];
        for (int i = 0; i < CHAINS; i++) {
            acc[i] = FloatVector.broadcast(S, 1f + i * 1e-3f);
        }
        FloatVector m = FloatVector.broadcast(S, 0.999999f);
        FloatVector add = FloatVector.broadcast(S, 1e-7f);
        long iters = 0;
        final int inner = 4096;
        while (System.nanoTime() < deadline) {
            for (int k = 0; k < inner; k++) {
                acc[0] = acc[0].fma(m, add);
                acc[1] = acc[1].fma(m, add);
                acc[2] = acc[2].fma(m, add);
                acc[3] = acc[3].fma(m, add);
                acc[4] = acc[4].fma(m, add);
                acc[5] = acc[5].fma(m, add);
                acc[6] = acc[6].fma(m, add);
                acc[7] = acc[7].fma(m, add);
                acc[8] = acc[8].fma(m, add);
                acc[9] = acc[9].fma(m, add);
                acc[10] = acc[10].fma(m, add);
                acc[11] = acc[11].fma(m, add);
            }
            iters += inner;
        }
        float s = 0;
        for (FloatVector v : acc) {
            s += v.reduceLanes(VectorOperators.ADD);
        }
        sinkAdd(s);
        return 2.0 * iters * CHAINS * S.length();
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
            if (triad) {
                triad(a, b, c, from, to);
            } else {
                sinkAdd(sum(b, from, to));
            }
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
