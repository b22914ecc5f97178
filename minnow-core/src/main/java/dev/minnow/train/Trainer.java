package dev.minnow.train;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.TrainingDivergedException;
import dev.minnow.graph.Graph;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Trains a graph's parameters in place on a dataset split:
 * <pre>
 * TrainResult r = Trainer.of(graph)
 *         .optimizer(Optimizers.momentum(0.05, 0.9, true).weightDecay(5e-4))
 *         .loss(Losses.crossEntropy(0.1))
 *         .schedule(LrSchedule.warmup(100, LrSchedule.cosine(0)))
 *         .epochs(10).batchSize(128).seed(1)
 *         .checkpointPath(Path.of("run.ckpt"))
 *         .fit(split);
 * </pre>
 * Each epoch reads the train split in a seeded shuffled order, applies the augmentation
 * and then the split's normalization, and ends with a test evaluation. Every random draw
 * derives from (seed, epoch, batch), so a run with one thread repeats exactly, and a run
 * resumed from a checkpoint ends with the same weights as one that was never stopped.
 */
public final class Trainer {
    private final Graph graph;
    private Optimizer optimizer = Optimizers.sgd(0.01);
    private Loss loss = Losses.crossEntropy();
    private LrSchedule schedule = LrSchedule.constant();
    private int epochs = 1;
    private int batchSize = 64;
    private int accumulate = 1;
    private long seed;
    private int threads;
    private Transform augment;
    private Model teacher;
    private TrainListener listener = new TrainListener() {
    };
    private double maxLoss = Double.POSITIVE_INFINITY;
    private int checkpointEvery = 1;
    private Path checkpointPath;
    private Path resumeFrom;

    private Trainer(Graph graph) {
        this.graph = graph;
    }

    public static Trainer of(Graph graph) {
        return new Trainer(graph);
    }

    public Trainer optimizer(Optimizer o) {
        this.optimizer = o;
        return this;
    }

    public Trainer loss(Loss l) {
        this.loss = l;
        return this;
    }

    public Trainer schedule(LrSchedule s) {
        this.schedule = s;
        return this;
    }

    public Trainer epochs(int n) {
        this.epochs = atLeastOne("epochs", n);
        return this;
    }

    public Trainer batchSize(int n) {
        this.batchSize = atLeastOne("batch size", n);
        return this;
    }

    /** Gradient accumulation: average the gradients of n batches before each optimizer step. */
    public Trainer accumulate(int microBatches) {
        this.accumulate = atLeastOne("gradient accumulation", microBatches);
        return this;
    }

    public Trainer seed(long s) {
        this.seed = s;
        return this;
    }

    /** Size of the shared kernel pool during fit (restored afterwards); 0 keeps the current size. */
    public Trainer threads(int n) {
        if (n < 0) {
            throw new InvalidInputException("threads must be at least 1, got " + n);
        }
        this.threads = n;
        return this;
    }

    /** Random per-sample transform for training images only (in [0,1] pixel space, before normalization). */
    public Trainer augment(Transform t) {
        this.augment = t;
        return this;
    }

    /** A teacher whose logits are passed to the loss as {@link Targets#values()} (distillation). */
    public Trainer teacher(Model t) {
        this.teacher = t;
        return this;
    }

    /**
     * Treat a batch loss above this as divergence too (default: only NaN and infinity). A loss can
     * explode to huge finite values and then collapse without ever becoming NaN; for cross-entropy
     * a bound such as 1e3 catches that at once.
     */
    public Trainer maxLoss(double bound) {
        if (!(bound > 0)) {
            throw new InvalidInputException("the loss bound must be positive, got " + bound);
        }
        this.maxLoss = bound;
        return this;
    }

    public Trainer listener(TrainListener l) {
        this.listener = l;
        return this;
    }

    /** Write a checkpoint every n epochs (and after the last one) when a checkpoint path is set. */
    public Trainer checkpointEvery(int n) {
        this.checkpointEvery = atLeastOne("checkpoint interval", n);
        return this;
    }

    public Trainer checkpointPath(Path p) {
        this.checkpointPath = p;
        return this;
    }

    /**
     * Continue a run from its checkpoint: parameters, optimizer state, seed and progress come
     * from the file; training resumes at the next epoch. Use the same settings as the first run.
     */
    public Trainer resumeFrom(Path p) {
        this.resumeFrom = p;
        return this;
    }

    /** The settings as one line, stored in checkpoints. */
    public String describe() {
        return "graph=" + graph.name() + " optimizer=" + optimizer.describe() + " loss=" + loss.describe() + " schedule="
                + schedule.describe() + " epochs=" + epochs + " batch=" + batchSize + " accumulate=" + accumulate + " seed=" + seed
                + " augment=" + (augment == null ? "none" : augment) + " masks=" + optimizer.masks().keySet();
    }

    public TrainResult fit(DatasetSplit split) {
        int oldThreads = Parallel.threads();
        if (threads > 0) {
            Parallel.setThreads(threads);
        }
        try {
            return run(split);
        } finally {
            if (threads > 0) {
                Parallel.setThreads(oldThreads);
            }
        }
    }

    private TrainResult run(DatasetSplit split) {
        long start = System.nanoTime();
        TrainingExecutor executor = new TrainingExecutor(graph);
        Map<String, Tensor> parameters = executor.parameters();
        long runSeed = seed;
        int firstEpoch = 0;
        long step = 0;
        if (resumeFrom != null) {
            Checkpoint c = Checkpoint.read(resumeFrom);
            c.restoreInto(parameters);
            optimizer.loadState(c.optimizerState());
            runSeed = c.seed();
            firstEpoch = c.epochsCompleted();
            step = c.steps();
        }
        Transform normalize = Transform.normalize(split.normalization());
        Transform transform = augment == null ? normalize : augment.andThen(normalize);
        List<EpochStats> history = new ArrayList<>();
        GradientAccumulator gradients = new GradientAccumulator();
        try (DataLoader loader = DataLoader.builder(split.train()).batchSize(batchSize).shuffle(true).seed(runSeed)
                .transform(transform).build()) {
            int batches = loader.batchesPerEpoch();
            long stepsPerEpoch = (batches + accumulate - 1) / accumulate;
            long totalSteps = stepsPerEpoch * epochs;
            for (int epoch = firstEpoch; epoch < epochs; epoch++) {
                long epochStart = System.nanoTime();
                double lossSum = 0;
                int samples = 0;
                double lr = schedule.lr(optimizer.learningRate(), step, stepsPerEpoch, totalSteps);
                try (DataLoader.Epoch it = loader.epoch(epoch)) {
                    int b = 0;
                    for (Batch batch : it) {
                        lr = schedule.lr(optimizer.learningRate(), step, stepsPerEpoch, totalSteps);
                        Tensor output = executor.forward(batch.images(), true, Seeds.mix(runSeed, epoch, b));
                        Tensor teacherOutput = teacher == null ? null : teacher.predict(batch.images());
                        LossValue value = loss.compute(output, new Targets(batch.labels(), teacherOutput));
                        if (!Double.isFinite(value.loss()) || value.loss() > maxLoss) {
                            throw diverged(value.loss(), epoch, b, step, lr);
                        }
                        Map<String, Tensor> batchGradients = executor.backward(value.gradient());
                        lossSum += value.loss() * batch.count();
                        samples += batch.count();
                        b++;
                        if (accumulate == 1) {
                            optimizer.step(parameters, batchGradients, lr);
                            step++;
                        } else {
                            gradients.add(batchGradients);
                            if (gradients.microBatches() == accumulate || b == batches) {
                                optimizer.step(parameters, gradients.mean(), lr);
                                gradients.clear();
                                step++;
                            }
                        }
                        listener.onBatch(new TrainListener.BatchProgress(epoch + 1, epochs, b - 1, batches, value.loss(), lr, step));
                    }
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                EvalResult test = Evaluator.of(executor).evaluate(split.test(), split.normalization(),
                        Math.max(batchSize, Evaluator.DEFAULT_BATCH_SIZE), null);
                EpochStats stats = new EpochStats(epoch + 1, lossSum / Math.max(1, samples), test.top1(), test.loss(),
                        samples / Math.max(1e-9, trainSeconds), (System.nanoTime() - epochStart) / 1e9, lr);
                history.add(stats);
                listener.onEpoch(stats);
                if (checkpointPath != null && ((epoch + 1) % checkpointEvery == 0 || epoch + 1 == epochs)) {
                    new Checkpoint(parameters, optimizer.describe(), optimizer.state(), runSeed, epoch + 1, step, describe())
                            .write(checkpointPath);
                    listener.onCheckpoint(checkpointPath, epoch + 1);
                }
            }
        }
        return new TrainResult(history, (System.nanoTime() - start) / 1e9);
    }

    private TrainingDivergedException diverged(double value, int epoch, int batch, long step, double lr) {
        String kept = checkpointPath == null ? "" : "; the last good checkpoint, if any, is kept at " + checkpointPath;
        return new TrainingDivergedException("training diverged: the loss became " + value
                + (Double.isFinite(value) ? " (above the bound " + maxLoss + ")" : "") + " at epoch " + (epoch + 1)
                + ", batch " + batch + " (optimizer step " + step + ", learning rate " + lr + "). Try a lower learning rate"
                + " (for example " + lr / 10 + ") or a warm-up schedule" + kept, step);
    }

    private static int atLeastOne(String what, int n) {
        if (n < 1) {
            throw new InvalidInputException(what + " must be at least 1, got " + n);
        }
        return n;
    }
}
