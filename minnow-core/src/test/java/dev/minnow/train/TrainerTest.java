package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.errors.TrainingDivergedException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    private static final DatasetSplit DATA = TinyDataset.split(192, 60);

    private static Graph model() {
        return TestGraphs.mlp(1, 4, 4, 8, TinyDataset.CLASSES, 42);
    }

    private static Trainer trainer(Graph g) {
        return Trainer.of(g).optimizer(Optimizers.momentum(0.1, 0.9, true).weightDecay(1e-4))
                .schedule(LrSchedule.warmup(3, LrSchedule.cosine(0.001))).epochs(3).batchSize(16).seed(7).threads(1);
    }

    private static void assertSameWeights(Graph a, Graph b) {
        for (var e : a.floatInitializers().entrySet()) {
            assertArrayEquals(e.getValue().floats(), b.initializers().get(e.getKey()).floats(), e.getKey());
        }
    }

    @Test
    void learnsTheTinyProblemAndReportsEachEpoch() {
        List<TrainListener.BatchProgress> batches = new ArrayList<>();
        TrainResult r = trainer(model()).listener(new TrainListener() {
            @Override
            public void onBatch(BatchProgress p) {
                batches.add(p);
            }
        }).fit(DATA);
        assertEquals(3, r.epochs().size());
        assertEquals(3 * 12, batches.size());
        assertEquals(36, batches.getLast().step());
        assertTrue(r.epochs().getLast().trainLoss() < r.epochs().getFirst().trainLoss(), r.toString());
        assertTrue(r.finalTestTop1() > 0.9, "test top-1 " + r.finalTestTop1());
        assertTrue(r.epochs().getFirst().imagesPerSecond() > 0);
        assertEquals(r.finalTestTop1(), Evaluator.of(trainedCopy()).evaluate(DATA.test(), DATA.normalization()).top1());
    }

    private Graph trainedCopy() {
        Graph g = model();
        trainer(g).fit(DATA);
        return g;
    }

    @Test
    void oneThreadAndOneSeedRepeatExactly() {
        Graph a = model();
        Graph b = model();
        trainer(a).fit(DATA);
        trainer(b).fit(DATA);
        assertSameWeights(a, b);
        Graph c = model();
        trainer(c).seed(8).fit(DATA);
        assertFalse(java.util.Arrays.equals(a.initializers().get("fc1.weight").floats(), c.initializers().get("fc1.weight").floats()));
    }

    @Test
    void resumedRunEndsWithTheWeightsOfAnUninterruptedRun() {
        Graph whole = model();
        trainer(whole).optimizer(Optimizers.adam(0.01)).epochs(4).fit(DATA);

        Path ckpt = dir.resolve("run.ckpt");
        Graph first = model();
        RuntimeException crash = new RuntimeException("simulated crash");
        Trainer interrupted = trainer(first).optimizer(Optimizers.adam(0.01)).epochs(4).checkpointPath(ckpt).checkpointEvery(2)
                .listener(new TrainListener() {
                    @Override
                    public void onEpoch(EpochStats s) {
                        if (s.epoch() == 3) {
                            throw crash;
                        }
                    }
                });
        assertEquals(crash, assertThrows(RuntimeException.class, () -> interrupted.fit(DATA)));
        assertEquals(2, Checkpoint.read(ckpt).epochsCompleted());

        Graph resumed = model();
        List<EpochStats> epochs = new ArrayList<>();
        TrainResult r = trainer(resumed).optimizer(Optimizers.adam(0.01)).epochs(4).resumeFrom(ckpt).checkpointPath(ckpt)
                .listener(new TrainListener() {
                    @Override
                    public void onEpoch(EpochStats s) {
                        epochs.add(s);
                    }
                }).fit(DATA);
        assertEquals(List.of(3, 4), epochs.stream().map(EpochStats::epoch).toList());
        assertEquals(2, r.epochs().size());
        assertSameWeights(whole, resumed);
        assertEquals(4, Checkpoint.read(ckpt).epochsCompleted());
    }

    @Test
    void divergenceStopsAtOnceAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path ckpt = dir.resolve("div.ckpt");
        AtomicInteger calls = new AtomicInteger();
        Loss poisoned = new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                LossValue v = Losses.crossEntropy().compute(output, targets);
                return calls.incrementAndGet() == 12 + 5 ? new LossValue(Double.NaN, v.gradient()) : v;
            }

            @Override
            public String describe() {
                return "poisoned";
            }
        };
        byte[][] afterFirstEpoch = new byte[1][];
        Trainer t = trainer(model()).loss(poisoned).checkpointPath(ckpt).listener(new TrainListener() {
            @Override
            public void onCheckpoint(Path path, int epochsCompleted) {
                try {
                    afterFirstEpoch[0] = Files.readAllBytes(path);
                } catch (IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }
        });
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(DATA));
        assertEquals(17, calls.get(), "stopped at the poisoned batch");
        assertTrue(e.getMessage().contains("epoch 2"), e.getMessage());
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
        assertEquals(12 + 4, e.step());
        assertArrayEquals(afterFirstEpoch[0], Files.readAllBytes(ckpt));
        assertEquals(1, Checkpoint.read(ckpt).epochsCompleted());
    }

    @Test
    void accumulatingTwoHalfBatchesMatchesOneFullBatch() {
        Graph full = model();
        Trainer.of(full).optimizer(Optimizers.sgd(0.2)).epochs(2).batchSize(16).seed(3).threads(1).fit(DATA);
        Graph halves = model();
        Trainer.of(halves).optimizer(Optimizers.sgd(0.2)).epochs(2).batchSize(8).accumulate(2).seed(3).threads(1).fit(DATA);
        for (var e : full.floatInitializers().entrySet()) {
            assertArrayEquals(e.getValue().floats(), halves.initializers().get(e.getKey()).floats(), 1e-5f, e.getKey());
        }
    }

    @Test
    void masksKeepPrunedWeightsAtZeroAndAugmentationRunsOnTrainImages() {
        Graph g = model();
        float[] mask = new float[8 * 16];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = r.nextBoolean() ? 1 : 0;
        }
        AtomicInteger augmented = new AtomicInteger();
        Transform counting = (src, srcOff, in, dst, dstOff, random) -> {
            augmented.incrementAndGet();
            System.arraycopy(src, srcOff, dst, dstOff, in.sizeInt());
        };
        trainer(g).optimizer(Optimizers.adam(0.01).masks(Map.of("fc1.weight", Tensor.of(Shape.of(8, 16), mask)))).epochs(2)
                .augment(counting).fit(DATA);
        float[] w = g.initializers().get("fc1.weight").floats();
        int moved = 0;
        for (int i = 0; i < w.length; i++) {
            if (mask[i] == 0) {
                assertEquals(0f, w[i], "masked weight " + i);
            } else {
                moved++;
            }
        }
        assertTrue(moved > 0);
        assertEquals(2 * 192, augmented.get(), "train images only, once per epoch");
    }

    @Test
    void studentLearnsFromTheTeacherAloneThroughDistillation() {
        Graph teacher = model();
        trainer(teacher).fit(DATA);
        TrainingExecutor teacherModel = new TrainingExecutor(teacher);
        Graph student = TestGraphs.mlp(1, 4, 4, 4, TinyDataset.CLASSES, 9);
        // KL only: the labels never reach the loss, so accuracy can come from the teacher alone
        Loss kdOnly = new Loss() {
            private final Loss kl = Losses.klDivergence(2);

            @Override
            public LossValue compute(Tensor output, Targets targets) {
                return kl.compute(output, Targets.values(targets.values()));
            }

            @Override
            public String describe() {
                return "kd-only";
            }
        };
        TrainResult r = trainer(student).loss(kdOnly).teacher(teacherModel).optimizer(Optimizers.adam(0.02)).epochs(4).fit(DATA);
        assertTrue(r.finalTestTop1() > 0.85, "student top-1 " + r.finalTestTop1());
        assertEquals(r.finalTestTop1(), Evaluator.of(student).evaluate(DATA).top1());
    }

    @Test
    void aLossAboveTheBoundCountsAsDivergence() {
        AtomicInteger calls = new AtomicInteger();
        Loss exploding = new Loss() {
            @Override
            public LossValue compute(Tensor output, Targets targets) {
                LossValue v = Losses.crossEntropy().compute(output, targets);
                return calls.incrementAndGet() == 3 ? new LossValue(1e31, v.gradient()) : v;
            }

            @Override
            public String describe() {
                return "exploding";
            }
        };
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer(model()).loss(exploding).maxLoss(1e3).fit(DATA));
        assertEquals(2, e.step());
        assertTrue(e.getMessage().contains("above the bound"), e.getMessage());
        calls.set(0);
        trainer(model()).loss(exploding).epochs(1).fit(DATA); // without a bound only NaN and infinity stop training
        assertEquals(12, calls.get());
    }
}
