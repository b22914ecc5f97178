package dev.minnow.compress.quant;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small graphs and random batches shared by the quantization tests. */
final class QuantTestModels {
    private QuantTestModels() {
    }

    /** conv 3->16 + BN + relu, conv 16->32 stride 2 + relu, depthwise 3x3 + relu, pointwise 32->24, GAP, dense 10. */
    static Graph small(long seed) {
        GraphBuilder b = GraphBuilder.named("small", seed);
        Value x = b.input("x", Shape.of(-1, 3, 12, 12));
        x = b.relu(b.batchNorm(b.conv(x, 16, 3, 1, 1, 1, false)));
        x = b.relu(b.conv(x, 32, 3, 2, 1));
        x = b.relu(b.conv(x, 32, 3, 1, 1, 32, true));
        x = b.conv(x, 24, 1, 1, 0);
        x = b.flatten(b.globalAvgPool(b.relu(x)));
        b.output("y", b.dense(x, 10));
        return b.build();
    }

    static List<Tensor> batches(int count, int batch, Shape sample, long seed) {
        Random r = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        int n = (int) sample.size();
        for (int i = 0; i < count; i++) {
            int[] d = sample.dims();
            float[] v = new float[batch * n];
            int plane = d[1] * d[2];
            for (int p = 0; p < batch * d[0]; p++) {
                // image-like: a smooth field (neighbours correlated) on a per-channel offset; with
                // independent pixels every rounding is as good as nearest and there is nothing to learn
                double offset = r.nextGaussian();
                double gy = r.nextGaussian() / d[1];
                double gx = r.nextGaussian() / d[2];
                for (int y = 0; y < d[1]; y++) {
                    for (int x = 0; x < d[2]; x++) {
                        v[p * plane + y * d[2] + x] = (float) (offset + 3 * (gy * y + gx * x) + 0.3 * r.nextGaussian());
                    }
                }
            }
            out.add(Tensor.of(Shape.of(batch, d[0], d[1], d[2]), v));
        }
        return out;
    }

    static double mse(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            double d = a.floats()[i] - b.floats()[i];
            s += d * d;
        }
        return s / a.size();
    }
}
