package dev.minnow.bench;

import org.openjdk.jmh.annotations.Benchmark;

/** Single-core FP32 peak with Vector API FMAs; the gflop counter is GFLOPS. */
public class FmaPeakBench extends BenchSettings {
    private static final long ITERATIONS = 1_000_000;
    private float seed = 1f;

    @Benchmark
    public float fma(FlopCounter counter) {
        counter.gflop += FmaPeak.flops(ITERATIONS) / 1e9;
        return FmaPeak.run(ITERATIONS, seed);
    }
}
