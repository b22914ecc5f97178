package dev.minnow.bench;

import dev.minnow.kernels.Gemm;
import dev.minnow.kernels.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Quick numbers for docs/BENCHMARKS.md without JMH: the single-core FP32 FMA peak, then
 * SGEMM GFLOPS and fraction of that peak for square sizes on 1 thread and on all threads.
 * Usage: GemmPeak [size ...] (default 256 512 1024). Each figure is the best of many timed runs
 * after a warm-up, timed by thread CPU time on one thread (see {@link Timing}), by wall time on
 * more. A quick estimate; JMH (GemmBench, FmaPeakBench) is the careful one on a quiet machine.
 */
public final class GemmPeak {
    private GemmPeak() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {256, 512, 1024}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        int cores = Runtime.getRuntime().availableProcessors();
        Parallel.setThreads(1);
        double peak = peakGflops();
        System.out.printf("FP32 FMA peak, 1 thread, %d-lane vectors: %.1f GFLOPS (%s)%n",
                FmaPeak.S.length(), peak, Timing.clock());
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            Parallel.setThreads(threads);
            for (int n : sizes) {
                for (boolean transB : new boolean[] {false, true}) {
                    double gflops = gemmGflops(n, transB);
                    System.out.printf("sgemm %dx%dx%d %s, %d thread(s): %.1f GFLOPS = %.0f%% of %d x single-core peak (%s)%n",
                            n, n, n, transB ? "NT" : "NN", threads, gflops, 100 * gflops / (peak * threads), threads,
                            Timing.clock());
                }
            }
        }
    }

    /** Best of repeated short runs after warm-up (thread CPU time on one thread). */
    static double peakGflops() {
        long iterations = 2_000_000;
        float[] sink = new float[1];
        return Timing.bestRate(FmaPeak.flops(iterations), 100, () -> sink[0] += FmaPeak.run(iterations, 1f));
    }

    static double gemmGflops(int n, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = GemmBench.random(rnd, n * n);
        float[] b = GemmBench.random(rnd, n * n);
        float[] c = new float[n * n];
        double flops = 2.0 * n * n * n;
        int runs = (int) Math.max(5, Math.min(200, 4e10 / flops));
        return Timing.bestRate(flops, runs, () -> Gemm.sgemm(false, transB, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n));
    }
}
