package dev.minnow.train;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.TrainingDivergedException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.ParameterRoles;
import dev.minnow.graph.StructureHash;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

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
 * Training control (docs/TRAINING.md, "Training control"): which parameters train
 * ({@link #freeze}, {@link #trainable}, {@link #learnable}), {@link ParameterGroup}s with
 * learning-rate and decay multipliers, {@link Regularizer}s, {@link GradientHook}s between
 * backward and the step, {@link ParameterConstraint}s after it, and an {@link Objective} over
 * tapped values of the student and of a teacher graph run in the same loop.
 *
 * <p>Each epoch reads the train split in a seeded shuffled order, applies the augmentation
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
    private Graph teacherGraph;
    private Objective objective;
    private final Set<String> frozen = new LinkedHashSet<>();
    private final Set<String> learnable = new LinkedHashSet<>();
    private Predicate<String> trainable = p -> true;
    private final List<ParameterGroup> groups = new ArrayList<>();
    private final List<Regularizer> regularizers = new ArrayList<>();
    private final List<GradientHook> hooks = new ArrayList<>();
    private final List<ParameterConstraint> constraints = new ArrayList<>();
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
        this.teacherGraph = null;
        return this;
    }

    /**
     * A teacher graph run (inference mode) on each batch beside the student: its first output
     * reaches a {@link Loss} as {@link Targets#values()}, and an {@link Objective} can read its
     * outputs and the intermediate values it lists in {@link Objective#teacherValues()}.
     */
    public Trainer teacher(Graph t) {
        this.teacherGraph = t;
        this.teacher = null;
        return this;
    }

    /** What to minimize, over student and teacher values; replaces {@link #loss} when set. */
    public Trainer objective(Objective o) {
        this.objective = o;
        return this;
    }

    /** Keeps these parameters as they are (no gradient is computed for them). */
    public Trainer freeze(String... parameters) {
        frozen.addAll(List.of(parameters));
        return this;
    }

    /** Trains only the parameters whose names pass the filter (combined with {@link #freeze}). */
    public Trainer trainable(Predicate<String> byName) {
        this.trainable = byName;
        return this;
    }

    /**
     * Also trains these float32 initializers, which are not weights by default: a PACT clip
     * value (Clip's max), an LSQ step. Their op must pass a gradient to them.
     */
    public Trainer learnable(String... initializers) {
        learnable.addAll(List.of(initializers));
        return this;
    }

    /** Adds a parameter group; the first group that selects a parameter sets its multipliers. */
    public Trainer group(ParameterGroup g) {
        groups.add(g);
        return this;
    }

    /** Shorthand for {@code group(ParameterGroup.normsAndScales())}: no weight decay on BN, clip values, steps. */
    public Trainer noDecayOnNormsAndScales() {
        return group(ParameterGroup.normsAndScales());
    }

    public Trainer regularizer(Regularizer r) {
        regularizers.add(r);
        return this;
    }

    public Trainer gradientHook(GradientHook h) {
        hooks.add(h);
        return this;
    }

    /** Adds a constraint (applied before training and after every step); a {@link MaskConstraint} also zeroes masked gradients. */
    public Trainer constraint(ParameterConstraint c) {
        constraints.add(c);
        if (c instanceof GradientHook h) {
            hooks.add(h);
        }
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
                + " augment=" + (augment == null ? "none" : augment) + " masks=" + optimizer.masks().keySet()
                + (objective == null ? "" : " objective=" + objective.describe())
                + (frozen.isEmpty() ? "" : " frozen=" + frozen) + (learnable.isEmpty() ? "" : " learnable=" + learnable)
                + (groups.isEmpty() ? "" : " groups=" + groups.stream().map(g -> g.name() + "(lr*" + g.lrScale() + ", decay*"
                        + g.decayScale() + ")").toList())
                + (regularizers.isEmpty() ? "" : " regularizers=" + regularizers.stream().map(Regularizer::describe).toList())
                + (constraints.isEmpty() ? "" : " constraints=" + constraints.stream().map(ParameterConstraint::describe).toList());
    }

    /** The names that train on this graph: weights plus learnable, filtered, minus frozen. */
    Set<String> trainableNames(Graph g) {
        for (String name : concat(frozen, learnable)) {
            if (!g.initializers().containsKey(name)) {
                throw new InvalidInputException("no initializer named '" + name + "' in graph '" + g.name()
                        + "' (freeze and learnable take initializer names)");
            }
        }
        Set<String> names = new LinkedHashSet<>(ParameterRoles.weights(g));
        names.addAll(learnable);
        names.removeIf(p -> frozen.contains(p) || !trainable.test(p));
        return names;
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> r = new ArrayList<>(a);
        r.addAll(b);
        return r;
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
        if (graph.inputs().size() != 1) {
            throw new InvalidInputException("graph '" + graph.name() + "' has " + graph.inputs().size()
                    + " inputs; the trainer feeds one image input");
        }
        Objective goal = objective != null ? objective : Objectives.loss(loss);
        Graph training = objective == null ? graph : sharingWeights(graph);
        goal.extend(new GraphEditor(training), teacherGraph, Seeds.mix(seed, -1, 2));
        TrainingExecutor executor = new TrainingExecutor(training, trainableNames(training));
        TrainingExecutor teacherRun = teacherGraph == null ? null : new TrainingExecutor(teacherGraph, Set.of());
        Model evaluated = training == graph ? executor : new TrainingExecutor(graph, Set.of());
        String inputName = graph.inputs().get(0).name();
        String outputName = training.outputs().get(0).name();
        String teacherOutput = teacherGraph == null ? null : teacherGraph.outputs().get(0).name();
        Map<String, Tensor> parameters = executor.parameters();
        // checkpoints hold every float initializer: batch-norm statistics are state too
        Map<String, Tensor> state = training.floatInitializers();
        Map<String, ParameterGroup.Scales> scales = scales(training, parameters.keySet());
        String graphHash = StructureHash.of(training);
        long runSeed = seed;
        int firstEpoch = 0;
        long step = 0;
        if (resumeFrom != null) {
            Checkpoint c = Checkpoint.read(resumeFrom);
            c.requireGraph(graphHash, resumeFrom);
            c.restoreInto(state);
            optimizer.loadState(c.optimizerState());
            loadConstraintState(c.constraintState());
            runSeed = c.seed();
            firstEpoch = c.epochsCompleted();
            step = c.steps();
        }
        for (ParameterConstraint c : constraints) {
            c.afterStep(parameters, step);
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
                        Map<String, Tensor> feeds = Map.of(inputName, batch.images());
                        Map<String, Tensor> student = executor.forward(feeds, true, Seeds.mix(runSeed, epoch, b), goal.studentValues());
                        Map<String, Tensor> teacherValues = Map.of();
                        Tensor teacherLogits = null;
                        if (teacherRun != null) {
                            teacherValues = teacherRun.forward(feeds, false, 0, goal.teacherValues());
                            teacherLogits = teacherValues.get(teacherOutput);
                        } else if (teacher != null) {
                            teacherLogits = teacher.predict(batch.images());
                        }
                        ObjectiveValue value = goal.compute(new ObjectiveInputs(student, outputName, teacherValues, teacherOutput,
                                new Targets(batch.labels(), teacherLogits)));
                        if (!Double.isFinite(value.loss()) || value.loss() > maxLoss) {
                            throw diverged(value.loss(), epoch, b, step, lr);
                        }
                        Map<String, Tensor> batchGradients = executor.backward(value.gradients());
                        lossSum += value.loss() * batch.count();
                        samples += batch.count();
                        b++;
                        double penalty = 0;
                        if (accumulate == 1) {
                            penalty = step(parameters, batchGradients, lr, step, scales);
                            step++;
                        } else {
                            gradients.add(batchGradients);
                            if (gradients.microBatches() == accumulate || b == batches) {
                                penalty = step(parameters, gradients.mean(), lr, step, scales);
                                gradients.clear();
                                step++;
                            }
                        }
                        listener.onBatch(new TrainListener.BatchProgress(epoch + 1, epochs, b - 1, batches, value.loss(), lr, step,
                                penalty));
                    }
                }
                double trainSeconds = (System.nanoTime() - epochStart) / 1e9;
                EvalResult test = Evaluator.of(evaluated).evaluate(split.test(), split.normalization(),
                        Math.max(batchSize, Evaluator.DEFAULT_BATCH_SIZE), null);
                EpochStats stats = new EpochStats(epoch + 1, lossSum / Math.max(1, samples), test.top1(), test.loss(),
                        samples / Math.max(1e-9, trainSeconds), (System.nanoTime() - epochStart) / 1e9, lr);
                history.add(stats);
                listener.onEpoch(stats);
                if (checkpointPath != null && ((epoch + 1) % checkpointEvery == 0 || epoch + 1 == epochs)) {
                    new Checkpoint(state, optimizer.describe(), optimizer.state(), runSeed, epoch + 1, step, describe(), graphHash,
                            constraintState()).write(checkpointPath);
                    listener.onCheckpoint(checkpointPath, epoch + 1);
                }
            }
        }
        return new TrainResult(history, (System.nanoTime() - start) / 1e9);
    }

    /** Regularizers, hooks, the optimizer step, constraints; returns the regularizers' total. */
    private double step(Map<String, Tensor> parameters, Map<String, Tensor> gradients, double lr, long step,
                        Map<String, ParameterGroup.Scales> scales) {
        double penalty = 0;
        if (!regularizers.isEmpty() || !hooks.isEmpty()) {
            gradients = new LinkedHashMap<>(gradients);
        }
        for (Regularizer r : regularizers) {
            penalty += r.apply(parameters, gradients);
        }
        for (GradientHook h : hooks) {
            h.beforeStep(parameters, gradients, step);
        }
        listener.beforeStep(step, gradients);
        optimizer.step(parameters, gradients, lr, p -> scales.getOrDefault(p, ParameterGroup.Scales.ONE));
        for (ParameterConstraint c : constraints) {
            c.afterStep(parameters, step + 1);
        }
        return penalty;
    }

    private Map<String, ParameterGroup.Scales> scales(Graph g, Set<String> parameters) {
        Map<String, ParameterGroup.Scales> r = new HashMap<>();
        for (String p : parameters) {
            for (ParameterGroup group : groups) {
                if (group.selector().test(g, p)) {
                    r.put(p, new ParameterGroup.Scales(group.lrScale(), group.decayScale()));
                    break;
                }
            }
        }
        return r;
    }

    private Map<String, Tensor> constraintState() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (int i = 0; i < constraints.size(); i++) {
            int index = i;
            constraints.get(i).state().forEach((k, v) -> r.put(index + "/" + k, v));
        }
        return r;
    }

    private void loadConstraintState(Map<String, Tensor> saved) {
        for (int i = 0; i < constraints.size(); i++) {
            String prefix = i + "/";
            Map<String, Tensor> mine = new LinkedHashMap<>();
            saved.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    mine.put(k.substring(prefix.length()), v);
                }
            });
            if (!mine.isEmpty()) {
                constraints.get(i).loadState(mine);
            }
        }
    }

    /** A graph with the same structure whose initializers are the same tensor objects (training-only nodes go here). */
    static Graph sharingWeights(Graph g) {
        Graph copy = new Graph(g.name());
        g.inputs().forEach(copy::addInput);
        g.outputs().forEach(copy::addOutput);
        g.nodes().forEach(copy::addNode);
        g.initializers().forEach(copy::addInitializer);
        copy.metadata().putAll(g.metadata());
        return copy;
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
