package dev.minnow.cli;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.train.Checkpoint;
import dev.minnow.train.EpochStats;
import dev.minnow.train.Loss;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Objective;
import dev.minnow.train.Objectives;
import dev.minnow.train.Optimizer;
import dev.minnow.train.Optimizers;
import dev.minnow.train.TrainListener;
import dev.minnow.train.TrainResult;
import dev.minnow.train.Trainer;
import dev.minnow.zoo.Zoo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model (zoo name or .onnx file) on a dataset, evaluate it on the test split "
                + "after every epoch, and save it as ONNX."},
        footer = {"", "Examples:",
                "  minnow train --model lenet5 --dataset mnist --epochs 3 --seed 1 --out lenet5.onnx",
                "  minnow train --model resnet20 --dataset cifar10 --epochs 60 --batch-size 128 --lr 0.1 \\",
                "      --weight-decay 5e-4 --augment --checkpoint r20.ckpt --out resnet20.onnx",
                "  minnow train --model resnet20 --dataset cifar10 ... --resume r20.ckpt",
                "", "With one thread and the same --seed, two runs give identical weights."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "Zoo model name or .onnx file.")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training set (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "64", description = "Images per optimizer step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--accumulate", defaultValue = "1", paramLabel = "N",
            description = "Accumulate gradients of N batches before each step (default: ${DEFAULT-VALUE}).")
    int accumulate;

    @Option(names = "--optimizer", defaultValue = "nesterov",
            description = "sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: the zoo model's recipe, else 0.02 for SGD kinds; 0.001 for the others).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "Momentum for momentum/nesterov (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay (decoupled for adamw) (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--l1", defaultValue = "0", description = "L1 penalty strength (default: ${DEFAULT-VALUE}).")
    double l1;

    @Option(names = "--schedule", defaultValue = "cosine",
            description = "Learning-rate schedule: constant, step or cosine (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--step-epochs", defaultValue = "30", description = "For --schedule step: epochs between decays (default: ${DEFAULT-VALUE}).")
    int stepEpochs;

    @Option(names = "--gamma", defaultValue = "0.1", description = "For --schedule step: decay factor (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--warmup-steps", defaultValue = "100", description = "Linear warm-up steps before the schedule (default: ${DEFAULT-VALUE}).")
    long warmupSteps;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "Cross-entropy label smoothing (default: ${DEFAULT-VALUE}).")
    double labelSmoothing;

    @Option(names = "--augment", description = "Random crop (padding 4) and horizontal flip; for CIFAR-like data.")
    boolean augment;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for weights, shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE", description = "Save the trained model here (.onnx).")
    Path out;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "Write a checkpoint here after every epoch.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint written by --checkpoint; give the same settings as the run that wrote it (the schedule depends on --epochs).")
    Path resume;

    @Override
    public Integer call() {
        common.apply();
        Run r = run();
        common.emit(r.json(), r.human());
        return 0;
    }

    /**
     * Set by {@code distill}: learn from a teacher (Hinton KD: alpha * T^2 * KL(teacher/T ||
     * student/T) + (1 - alpha) * cross-entropy, plus FitNets hints through 1x1 adapters).
     */
    record Distillation(Graph teacher, String teacherName, double temperature, double alpha, List<String[]> hints,
                        double hintWeight) {
    }

    Distillation distillation;

    /** The result of a training run, in both views. */
    record Run(Map<String, Object> json, String human) {
    }

    Run run() {
        if (epochs < 1 || batchSize < 1 || accumulate < 1) {
            throw new InvalidInputException("--epochs, --batch-size and --accumulate must be at least 1");
        }
        if (out != null && !out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        if (resume != null) {
            refuseFinishedCheckpoint(Checkpoint.read(resume).epochsCompleted());
        }
        Graph g = Models.load(model, seed);
        DatasetSplit loaded = data.load();
        Preprocessing pre = preprocessing(g, loaded);
        if (loaded.train().size() == 0) {
            throw new InvalidInputException("dataset " + data.dataset + " has no training images (its train/ class folders"
                    + " are missing or empty); train needs train/<class>/<image>");
        }
        if (distillation != null) {
            requireTeacherPreprocessing(distillation, pre);
        }
        DatasetSplit split = pre.forTraining(loaded);
        // a cross-entropy above 1e3 means the run has blown up even if no NaN appeared yet
        Trainer t = Trainer.of(g).optimizer(optimizer(g)).loss(Losses.crossEntropy(labelSmoothing)).maxLoss(1e3)
                .schedule(schedule()).epochs(epochs).batchSize(batchSize).accumulate(accumulate).seed(seed);
        if (augment) {
            int size = split.train().sampleShape().dim(1);
            t.augment(Transform.compose(Transform.randomCrop(size, 4), Transform.horizontalFlip(0.5)));
        }
        if (distillation != null) {
            Distillation d = distillation;
            Loss soft = Losses.weighted(Losses.klDivergence(d.temperature()), d.alpha(),
                    Losses.crossEntropy(labelSmoothing), 1 - d.alpha());
            Objective goal = Objectives.loss(soft);
            for (String[] h : d.hints()) {
                goal = Objectives.sum(goal, Objectives.hint(h[1], h[0], d.hintWeight()));
            }
            t.teacher(d.teacher()).objective(goal);
        }
        if (checkpoint != null) {
            t.checkpointPath(checkpoint);
        }
        if (resume != null) {
            t.resumeFrom(resume);
        }
        ProgressListener listener = new ProgressListener(common.json);
        t.listener(listener);
        TrainResult result = t.fit(split);
        listener.done();

        g.metadata().put("minnow.command", (distillation == null ? "train " : "distill teacher=" + distillation.teacherName()
                + " ") + t.describe());
        g.metadata().put("minnow.dataset", data.dataset);
        g.metadata().put("minnow.seed", String.valueOf(seed));
        g.metadata().put("minnow.test_top1", String.valueOf(result.finalTestTop1()));
        g.metadata().putAll(pre.toMetadata());
        if (out != null) {
            Onnx.write(g, out);
        }
        double ips = result.epochs().stream().mapToDouble(EpochStats::imagesPerSecond).average().orElse(0);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        if (distillation != null) {
            j.put("teacher", distillation.teacherName());
            j.put("temperature", distillation.temperature());
            j.put("alpha", distillation.alpha());
            j.put("hints", distillation.hints().stream().map(h -> h[0] + ":" + h[1]).toList());
        }
        // a resumed run reports the epochs the model has been trained for in all, and this run's share
        int total = result.epochs().isEmpty() ? 0 : result.epochs().getLast().epoch();
        j.put("epochs", total);
        j.put("epochs_this_run", result.epochs().size());
        j.put("test_top1", result.finalTestTop1());
        EpochStats last = result.epochs().isEmpty() ? null : result.epochs().getLast();
        j.put("test_loss", last == null ? null : last.testLoss());
        j.put("train_loss", last == null ? null : last.trainLoss());
        j.put("train_images_per_second", ips);
        j.put("seconds", result.seconds());
        j.put("params", g.paramCount());
        j.put("seed", seed);
        j.put("out", out == null ? null : out.toString());
        List<Map<String, Object>> per = new ArrayList<>();
        Table tab = new Table("epoch", "train loss", "test loss", "test top-1", "img/s", "lr", "time");
        for (EpochStats e : result.epochs()) {
            per.add(Map.of("epoch", e.epoch(), "train_loss", e.trainLoss(), "test_loss", e.testLoss(),
                    "test_top1", e.testTop1(), "images_per_second", e.imagesPerSecond(), "seconds", e.seconds()));
            tab.row(e.epoch(), String.format("%.4f", e.trainLoss()), String.format("%.4f", e.testLoss()),
                    Table.percent(e.testTop1()), String.format("%.0f", e.imagesPerSecond()),
                    String.format("%.3g", e.learningRate()), Progress.time(e.seconds()));
        }
        j.put("per_epoch", per);
        int n = result.epochs().size();
        String human = tab.render() + String.format("%n%s on %s: test top-1 %s after %d epoch%s%s, %.0f training images/s%s%n",
                model, data.dataset, Table.percent(result.finalTestTop1()), total, total == 1 ? "" : "s",
                n == total ? "" : " (" + n + " in this run)", ips, out == null ? "" : "; saved to " + out);
        return new Run(j, human);
    }

    /**
     * What the model expects: the options, else its metadata (an imported or fine-tuned model
     * keeps the normalization it was trained with), else the dataset's own normalization.
     */
    Preprocessing preprocessing(Graph g, DatasetSplit split) {
        return preprocess.resolve(g, split.normalization(), split.train().sampleShape().dim(2));
    }

    /**
     * The teacher sees the student's input tensors, so it must have been trained on the same
     * preprocessing; a teacher that records another normalization would teach from garbage.
     */
    private static void requireTeacherPreprocessing(Distillation d, Preprocessing student) {
        Map<String, String> want = student.toMetadata();
        for (Map.Entry<String, String> e : want.entrySet()) {
            String had = d.teacher().metadata().get(e.getKey());
            if (had != null && !had.equals(e.getValue())) {
                throw new InvalidInputException("the teacher " + d.teacherName() + " was trained with "
                        + e.getKey().replace("minnow.preprocess.", "") + " = " + had + " but the student's input gets "
                        + e.getValue() + "; give the teacher's preprocessing options (--scale, --mean, --std, ...) so both"
                        + " see the same tensors");
            }
        }
    }

    /**
     * A checkpoint that already holds --epochs epochs leaves nothing to train; saying so beats
     * writing the checkpoint's weights under a new name with no test result to report.
     */
    private void refuseFinishedCheckpoint(int epochsCompleted) {
        if (epochsCompleted >= epochs) {
            throw new InvalidInputException("checkpoint " + resume + " has already completed " + epochsCompleted
                    + (epochsCompleted == 1 ? " epoch" : " epochs") + " and --epochs is " + epochs
                    + ": there is nothing left to train. To train further, give --epochs above " + epochsCompleted
                    + " (the learning-rate schedule follows --epochs); nothing was written");
        }
    }

    private Optimizer optimizer(Graph g) {
        boolean sgdKind = optimizer.equals("sgd") || optimizer.equals("momentum") || optimizer.equals("nesterov");
        String recipe = g.metadata().get(Zoo.RECIPE_LR);
        double rate = lr != null ? lr : sgdKind ? (recipe != null ? recipeRate(recipe) : 0.02) : 0.001;
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new InvalidInputException("--lr must be a positive number, got " + rate);
        }
        Optimizer o = switch (optimizer) {
            case "sgd" -> Optimizers.sgd(rate);
            case "momentum" -> Optimizers.momentum(rate, momentum, false);
            case "nesterov" -> Optimizers.momentum(rate, momentum, true);
            case "adagrad" -> Optimizers.adagrad(rate);
            case "rmsprop" -> Optimizers.rmsprop(rate);
            case "adam" -> Optimizers.adam(rate);
            case "adamw" -> Optimizers.adamw(rate, weightDecay);
            default -> throw new InvalidInputException("unknown --optimizer '" + optimizer
                    + "'; use sgd, momentum, nesterov, adagrad, rmsprop, adam or adamw");
        };
        if (!optimizer.equals("adamw")) {
            o.weightDecay(weightDecay);
        }
        return o.l1(l1);
    }

    private static double recipeRate(String recipe) {
        try {
            return Double.parseDouble(recipe.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("the model's metadata key " + Zoo.RECIPE_LR + " holds '" + recipe
                    + "', expected a number; give --lr to override it");
        }
    }

    private LrSchedule schedule() {
        LrSchedule s = switch (schedule) {
            case "constant" -> LrSchedule.constant();
            case "step" -> LrSchedule.step(stepEpochs, gamma);
            case "cosine" -> LrSchedule.cosine(0);
            default -> throw new InvalidInputException("unknown --schedule '" + schedule + "'; use constant, step or cosine");
        };
        if (warmupSteps < 0) {
            throw new InvalidInputException("--warmup-steps must be >= 0, got " + warmupSteps);
        }
        if (warmupSteps > 0) {
            s = LrSchedule.warmup(warmupSteps, s);
        }
        return s;
    }

    /** Draws the progress bar during training and prints a line per epoch (to stderr, not in JSON mode). */
    static final class ProgressListener implements TrainListener {
        private final boolean quiet;
        private Progress bar;
        private int epoch;

        ProgressListener(boolean quiet) {
            this.quiet = quiet;
        }

        @Override
        public void onBatch(BatchProgress p) {
            if (bar == null || p.epoch() != epoch) {
                epoch = p.epoch();
                bar = new Progress(String.format("epoch %d/%d", p.epoch(), p.epochs()), p.batches(), "batch");
            }
            bar.update(p.batch() + 1, String.format("loss %.4f", p.loss()));
        }

        @Override
        public void onEpoch(EpochStats e) {
            if (bar != null) {
                bar.finish();
            }
            if (!quiet) {
                System.err.printf("epoch %d: train loss %.4f, test top-1 %s, %.0f img/s%n",
                        e.epoch(), e.trainLoss(), Table.percent(e.testTop1()), e.imagesPerSecond());
            }
        }

        void done() {
            if (bar != null) {
                bar.finish();
            }
        }
    }
}
