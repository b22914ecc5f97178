package dev.minnow.bench;

import dev.minnow.kernels.Gemm;
import dev.minnow.kernels.Parallel;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Square SGEMM C = A * op(B) of size n, on a given number of threads; gflop/s is GFLOPS.
 * shape "NN" or "NT" (B transposed, the fully-connected layer's layout); the naive twin at
 * small sizes shows what the fast kernel buys.
 */
public class GemmBench extends BenchSettings {
    @Param({"64", "128", "256", "512", "1024"})
    public int n;
    @Param({"1", "2"})
    public int threads;
    @Param({"NN", "NT"})
    public String shape;

    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        SplittableRandom rnd = new SplittableRandom(1);
        a = random(rnd, n * n);
        b = random(rnd, n * n);
        c = new float[n * n];
    }

    @Benchmark
    public float[] sgemm(FlopCounter counter) {
        Gemm.sgemm(false, shape.equals("NT"), n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        counter.gflop += 2.0 * n * n * n / 1e9;
        return c;
    }

    static float[] random(SplittableRandom rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }
}
