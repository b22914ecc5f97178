package dev.minnow.bench;

import dev.minnow.kernels.Gemm;
import dev.minnow.kernels.Parallel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Quick numbers for docs/BENCHMARKS.md without JMH: the single-core FP32 FMA peak, then
 * SGEMM GFLOPS and fraction of that peak for square sizes on 1 thread and on all threads.
 * Usage: GemmPeak [size ...] (default 256 512 1024). Each figure is the best of many short
 * timed runs after a warm-up: on a shared machine the best run is the one least disturbed by
 * other processes. A quick estimate; JMH (GemmBench, FmaPeakBench) is the careful one.
 */
public final class GemmPeak {
    private GemmPeak() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {256, 512, 1024}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        double peak = peakGflops();
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("FP32 FMA peak, 1 thread, %d-lane vectors: %.1f GFLOPS%n",
                FmaPeak.S.length(), peak);
        for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
            Parallel.setThreads(threads);
            for (int n : sizes) {
                for (boolean transB : new boolean[] {false, true}) {
                    double gflops = gemmGflops(n, transB);
                    System.out.printf("sgemm %dx%dx%d %s, %d thread(s): %.1f GFLOPS = %.0f%% of %d x single-core peak%n",
                            n, n, n, transB ? "NT" : "NN", threads, gflops, 100 * gflops / (peak * threads), threads);
                }
            }
        }
    }

    /** Best of repeated short runs after warm-up. */
    static double peakGflops() {
        long iterations = 2_000_000;
        float sink = 0;
        for (int i = 0; i < 20; i++) {
            sink += FmaPeak.run(iterations / 10, 1f);
        }
        double[] rates = new double[100];
        for (int r = 0; r < rates.length; r++) {
            long t = System.nanoTime();
            sink += FmaPeak.run(iterations, 1f);
            rates[r] = FmaPeak.flops(iterations) / (System.nanoTime() - t);
        }
        if (sink == 42f) {
            System.out.println();
        }
        return best(rates);
    }

    static double gemmGflops(int n, boolean transB) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = GemmBench.random(rnd, n * n);
        float[] b = GemmBench.random(rnd, n * n);
        float[] c = new float[n * n];
        double flops = 2.0 * n * n * n;
        int runs = (int) Math.max(5, Math.min(200, 4e10 / flops));
        for (int i = 0; i < runs; i++) {
            Gemm.sgemm(false, transB, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        }
        double[] rates = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t = System.nanoTime();
            Gemm.sgemm(false, transB, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
            rates[r] = flops / (System.nanoTime() - t);
        }
        return best(rates);
    }

    static double best(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
