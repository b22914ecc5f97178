package dev.minnow.compress.recipe;

import dev.minnow.compress.encode.GraphCodec;
import dev.minnow.compress.prune.FineTuning;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.zoo.GraphBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A tiny convnet and a synthetic two-class task (bright left half or bright right half) for runner tests. */
final class TinyTask {
    static final GraphCodec ONNX = new GraphCodec(Onnx::toBytes, Onnx::fromBytes);

    private TinyTask() {
    }

    static Graph model() {
        var b = GraphBuilder.named("tiny", 3);
        Value x = b.input("input", Shape.of(-1, 1, 8, 8));
        x = b.relu(b.conv(x, 8, 3, 1, 1));
        x = b.relu(b.dense(b.flatten(x), 16));
        b.output("logits", b.dense(x, 2));
        return b.build();
    }

    static DatasetSplit data() {
        return new DatasetSplit("halves", halves(256, 1), halves(128, 2),
                new Normalization(new float[] {0.5f}, new float[] {0.3f}));
    }

    static RecipeRunner.Options options(List<String> log) {
        FineTuning tuning = new FineTuning(0.05, 0, 32, false, 1, null);
        return new RecipeRunner.Options(ONNX, tuning, 1, 0, log::add, false);
    }

    static RecipeRunner.Options options() {
        return options(new ArrayList<>());
    }

    private static Dataset halves(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] x = new float[n][64];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(2);
            for (int k = 0; k < 64; k++) {
                boolean left = k % 8 < 4;
                x[i][k] = (float) Math.min(1, Math.max(0, (left == (y[i] == 1) ? 0.8 : 0.2) + 0.2 * r.nextGaussian()));
            }
        }
        return new Dataset() {
            public int size() {
                return n;
            }

            public Shape sampleShape() {
                return Shape.of(1, 8, 8);
            }

            public int numClasses() {
                return 2;
            }

            public void copySample(int index, float[] dst, int off) {
                System.arraycopy(x[index], 0, dst, off, 64);
            }

            public int label(int index) {
                return y[index];
            }
        };
    }
}
