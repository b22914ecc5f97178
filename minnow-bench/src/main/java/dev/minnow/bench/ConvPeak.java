package dev.minnow.bench;

import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Parallel;
import java.util.SplittableRandom;

/**
 * Quick per-algorithm convolution numbers for docs/BENCHMARKS.md without JMH: for each layer of
 * {@link ConvBench}, GFLOPS (2 * direct MACs / time, best of many runs after warm-up) of every
 * algorithm that can run it, the inference path with prepared weights (PREPARED, see
 * {@link ConvBench}), plus the backward passes, on one thread (or args[0] threads); further arguments name the layers to run.
 */
public final class ConvPeak {
    /** The conv forms the -Dminnow.* switches allow (docs/KERNELS.md). */
    private static final dev.minnow.kernels.ConvOptions OPTIONS =
            dev.minnow.infer.ExecutionOptions.fromSystemProperties().convOptions();

    private ConvPeak() {
    }

    public static void main(String[] args) {
        Parallel.setThreads(args.length > 0 ? Integer.parseInt(args[0]) : 1);
        String[] layers = {"conv3x3_64_56", "conv3x3_128_56", "conv3x3_256_28", "conv1x1_128_256_28",
            "stem7x7s2_224", "conv3x3_512_7", "dw3x3_128_56", "dw3x3s2_256_28", "lenet5x5_20_50_12_b64", "conv3x3_16_32_b64",
            "r20_3x3_16_32_b128", "r20_3x3_32_16_b128", "r20_3x3_64_8_b128"};
        double peak = GemmPeak.peakGflops() * Parallel.threads();
        System.out.printf("threads=%d; GFLOPS = 2 * direct-convolution MACs / best %s; (%%) = fraction of the measured "
                + "FP32 FMA peak, %.1f GFLOPS on %d thread(s)%n", Parallel.threads(), Timing.clock(), peak, Parallel.threads());
        if (args.length > 1) {
            layers = java.util.Arrays.copyOfRange(args, 1, args.length);   // only the layers named
        }
        for (String name : layers) {
            ConvGeometry g = ConvBench.layer(name);
            SplittableRandom rnd = new SplittableRandom(1);
            float[] x = GemmBench.random(rnd, g.inputSize());
            float[] w = GemmBench.random(rnd, g.weightSize());
            float[] bias = GemmBench.random(rnd, g.outChannels());
            float[] y = new float[g.outputSize()];
            StringBuilder line = new StringBuilder(String.format("%-22s auto=%-11s", name, Conv2d.algorithmFor(g)));
            for (Conv2d.Algorithm a : Conv2d.Algorithm.values()) {
                boolean runs = switch (a) {
                    case NAIVE -> g.macs() < 50_000_000L;
                    case IM2COL_GEMM -> true;
                    case DEPTHWISE -> Conv2d.algorithmFor(g) == Conv2d.Algorithm.DEPTHWISE;
                    case WINOGRAD -> g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.groups() == 1;
                };
                if (runs) {
                    line.append(rate(a.name(), gflops(g, () -> Conv2d.forward(g, x, w, bias, y, a)), peak));
                }
            }
            // the forward training calls (no prepared weights): shifted rows where they apply
            line.append(rate("TRAIN", gflops(g, () -> Conv2d.forward(g, x, w, bias, y, OPTIONS)), peak));
            Conv2d.PreparedWeights pw = Conv2d.prepare(g, w, OPTIONS);
            line.append(rate("PREPARED", gflops(g, () -> Conv2d.forward(g, x, w, bias, y, pw)), peak));
            line.append(rate("BACKWARD_INPUT", gflops(g, () -> Conv2d.backwardInput(g, y, w, x, OPTIONS)), peak));
            float[] dw = new float[g.weightSize()];
            float[] db = new float[g.outChannels()];
            line.append(rate("BACKWARD_WEIGHT", gflops(g, () -> Conv2d.backwardWeight(g, x, y, dw, db, OPTIONS)), peak));
            System.out.println(line);
        }
    }

    private static String rate(String name, double gflops, double peak) {
        return String.format("  %s %.1f (%.0f%%)", name, gflops, 100 * gflops / peak);
    }

    static double gflops(ConvGeometry g, Runnable run) {
        double flops = 2.0 * g.macs();
        return Timing.bestRate(flops, (int) Math.max(15, Math.min(100, 4e9 / flops)), run);
    }
}
