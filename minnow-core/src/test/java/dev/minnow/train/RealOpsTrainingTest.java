package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor and trainer over the real op library (Conv, BatchNormalization, Relu, MaxPool, Add, Gemm). */
class RealOpsTrainingTest {
    @TempDir
    Path dir;

    private static final DatasetSplit DATA = TinyDataset.split(192, 60);

    /** conv -> [bn] -> relu, a residual add, maxpool, flatten, dense: 1x4x4 images, 3 classes. */
    static Graph tinyCnn(long seed, boolean batchNorm) {
        GraphBuilder b = GraphBuilder.named("tiny-cnn", seed);
        Value x = b.input("image", Shape.of(-1, 1, 4, 4));
        Value c = b.conv(x, 3, 3, 1, 1);
        Value h = b.relu(batchNorm ? b.batchNorm(c) : c);
        Value r = b.add(h, b.relu(b.conv(h, 3, 3, 1, 1)));
        Value f = b.flatten(b.maxPool(r, 2));
        b.output("logits", b.dense(f, TinyDataset.CLASSES));
        return b.build();
    }

    @Test
    void parameterGradientsMatchFiniteDifferences() {
        // Without batch norm: it centres the pre-activations of the following ReLUs at zero, so
        // any finite step crosses kinks (its own gradient is checked with the op).
        Graph g = tinyCnn(3, false);
        TrainingExecutor ex = new TrainingExecutor(g);
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = TestGraphs.random(r, 1, 4, 1, 4, 4);
        Tensor out = ex.forward(x, true, 0);
        float[] w = TestGraphs.random(r, 1, out.shape().dims()).floats();
        Map<String, Tensor> grads = ex.backward(Tensor.of(out.shape(), w.clone()));
        int checked = 0;
        for (var e : g.floatInitializers().entrySet()) {
            float[] p = e.getValue().floats();
            float[] analytic = grads.get(e.getKey()).floats();
            for (int i = 0; i < p.length; i++) {
                double numeric = TestGraphs.numericDerivative(() -> ex.forward(x, true, 0), w, p, i, 2e-3);
                assertEquals(numeric, analytic[i], 1e-2 * Math.max(1, Math.abs(numeric)), e.getKey() + "[" + i + "]");
                checked++;
            }
        }
        assertEquals(g.floatInitializers().size(), grads.size());
        assertTrue(checked > 100, "checked " + checked);
    }

    @Test
    void trainsResumesAndRepeatsWithBatchNorm() {
        Graph uninterrupted = tinyCnn(1, true);
        TrainResult whole = Trainer.of(uninterrupted).optimizer(Optimizers.adam(0.02)).schedule(LrSchedule.cosine(0))
                .epochs(4).batchSize(16).seed(5).threads(1).fit(DATA);
        assertTrue(whole.finalTestTop1() > 0.9, "test top-1 " + whole.finalTestTop1());
        Path ckpt = dir.resolve("cnn.ckpt");
        Graph first = tinyCnn(1, true);
        try {
            Trainer.of(first).optimizer(Optimizers.adam(0.02)).schedule(LrSchedule.cosine(0))
                    .epochs(4).batchSize(16).seed(5).threads(1).checkpointPath(ckpt).checkpointEvery(2)
                    .listener(new TrainListener() {
                        @Override
                        public void onCheckpoint(Path path, int epochsCompleted) {
                            throw new IllegalStateException("stop after epoch " + epochsCompleted);
                        }
                    }).fit(DATA);
        } catch (IllegalStateException expected) {
            assertEquals("stop after epoch 2", expected.getMessage());
        }
        Graph resumed = tinyCnn(1, true);
        Trainer.of(resumed).optimizer(Optimizers.adam(0.02)).schedule(LrSchedule.cosine(0))
                .epochs(4).batchSize(16).seed(5).threads(1).resumeFrom(ckpt).fit(DATA);
        for (var e : uninterrupted.floatInitializers().entrySet()) {
            assertArrayEquals(e.getValue().floats(), resumed.initializers().get(e.getKey()).floats(), e.getKey());
        }
    }

    @Test
    void lenet5FromTheZooFitsABatch() {
        Graph g = Zoo.build("lenet5", 1);
        TrainingExecutor ex = new TrainingExecutor(g);
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = TestGraphs.random(r, 1, 4, 1, 28, 28);
        int[] labels = {0, 1, 2, 3};
        Optimizer opt = Optimizers.adam(1e-3);
        Loss loss = Losses.crossEntropy();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        for (int step = 0; step < 5; step++) {
            LossValue v = loss.compute(ex.forward(x, true, step), Targets.labels(labels));
            opt.step(ex.parameters(), ex.backward(v.gradient()), opt.learningRate());
            firstLoss = step == 0 ? v.loss() : firstLoss;
            lastLoss = v.loss();
        }
        assertTrue(lastLoss < firstLoss * 0.8, "loss " + firstLoss + " -> " + lastLoss);
    }
}
