package dev.minnow.bench;

import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Parallel;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Convolution layers of typical CNNs (batch 1 unless named), one algorithm each; gflop/s is
 * GFLOPS counted as 2 * MACs of the direct convolution (so Winograd's saving shows as a higher
 * rate). "case" = layer:ALGORITHM, or layer:BACKWARD_INPUT / layer:BACKWARD_WEIGHT, or layer:PREPARED
 * (the inference executor's path: weights prepared once by {@link Conv2d#prepare}, which picks
 * Winograd F(4x4,3x3), the direct stem kernel or the channel-last product where they apply).
 */
public class ConvBench extends BenchSettings {
    /** The conv forms the -Dminnow.* switches allow (docs/KERNELS.md). */
    private static final dev.minnow.kernels.ConvOptions OPTIONS =
            dev.minnow.infer.ExecutionOptions.fromSystemProperties().convOptions();

    @Param({"conv3x3_64_56:IM2COL_GEMM", "conv3x3_64_56:WINOGRAD",
            "conv3x3_64_56:BACKWARD_INPUT", "conv3x3_64_56:BACKWARD_WEIGHT",
            "conv3x3_256_28:IM2COL_GEMM", "conv3x3_256_28:WINOGRAD",
            "conv3x3_128_56:IM2COL_GEMM", "conv3x3_128_56:WINOGRAD",
            "conv1x1_128_256_28:IM2COL_GEMM", "stem7x7s2_224:IM2COL_GEMM", "stem7x7s2_224:PREPARED",
            "conv3x3_64_56:PREPARED", "conv3x3_512_7:IM2COL_GEMM", "conv3x3_512_7:PREPARED",
            "dw3x3_128_56:DEPTHWISE", "dw3x3_128_56:IM2COL_GEMM", "dw3x3s2_256_28:DEPTHWISE",
            "lenet5x5_20_50_12_b64:IM2COL_GEMM", "conv3x3_16_32_b64:IM2COL_GEMM"})
    public String layerCase;
    @Param({"1"})
    public int threads;

    private ConvGeometry g;
    private String algorithm;
    private float[] x;
    private float[] w;
    private float[] bias;
    private float[] y;
    private Conv2d.PreparedWeights prepared;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        String[] parts = layerCase.split(":");
        g = layer(parts[0]);
        algorithm = parts[1];
        SplittableRandom rnd = new SplittableRandom(1);
        x = GemmBench.random(rnd, g.inputSize());
        w = GemmBench.random(rnd, g.weightSize());
        bias = GemmBench.random(rnd, g.outChannels());
        y = GemmBench.random(rnd, g.outputSize());
        prepared = Conv2d.prepare(g, w, OPTIONS);
    }

    /** The named layer geometries (3x3 and 5x5 layers padded to keep their size unless strided). */
    static ConvGeometry layer(String name) {
        return switch (name) {
            case "conv3x3_64_56" -> ConvGeometry.of(1, 64, 56, 56, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "conv3x3_256_28" -> ConvGeometry.of(1, 256, 28, 28, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "conv3x3_128_56" -> ConvGeometry.of(1, 128, 56, 56, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "conv3x3_512_7" -> ConvGeometry.of(1, 512, 7, 7, 512, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "conv1x1_128_256_28" -> ConvGeometry.of(1, 128, 28, 28, 256, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1);
            case "stem7x7s2_224" -> ConvGeometry.of(1, 3, 224, 224, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1);
            case "dw3x3_128_56" -> ConvGeometry.of(1, 128, 56, 56, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 128);
            case "dw3x3s2_256_28" -> ConvGeometry.of(1, 256, 28, 28, 256, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 256);
            case "lenet5x5_20_50_12_b64" -> ConvGeometry.of(64, 20, 12, 12, 50, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1, 1);
            case "conv3x3_16_32_b64" -> ConvGeometry.of(64, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            // ResNet-20's three stages at its training batch
            case "r20_3x3_16_32_b128" -> ConvGeometry.of(128, 16, 32, 32, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "r20_3x3_32_16_b128" -> ConvGeometry.of(128, 32, 16, 16, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            case "r20_3x3_64_8_b128" -> ConvGeometry.of(128, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("unknown layer " + name);
        };
    }

    @Benchmark
    public float[] conv(FlopCounter counter) {
        switch (algorithm) {
            case "BACKWARD_INPUT" -> Conv2d.backwardInput(g, y, w, x, OPTIONS);
            case "BACKWARD_WEIGHT" -> Conv2d.backwardWeight(g, x, y, w, bias, OPTIONS);
            case "PREPARED" -> Conv2d.forward(g, x, w, bias, y, prepared);
            default -> Conv2d.forward(g, x, w, bias, y, Conv2d.Algorithm.valueOf(algorithm));
        }
        counter.gflop += 2.0 * g.macs() / 1e9;
        return y;
    }
}
