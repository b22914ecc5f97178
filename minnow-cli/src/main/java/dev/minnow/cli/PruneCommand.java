package dev.minnow.cli;

import dev.minnow.compress.prune.ChannelPruner;
import dev.minnow.compress.prune.Importance;
import dev.minnow.compress.prune.PruneRun;
import dev.minnow.compress.prune.Reconstruction;
import dev.minnow.compress.prune.Taylor;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import dev.minnow.train.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prune a model and fine-tune it: fine-grained (weights zeroed and held at zero by a mask) or",
                "coarse-grained (channels removed through residual adds, concats and depthwise convolutions, so the",
                "saved model is a smaller dense graph). Reports accuracy, non-zero parameters and MACs before and after."},
        footer = {"", "Examples:",
                "  minnow prune lenet5.onnx --dataset mnist --granularity weight --sparsity 0.92 --schedule iterative \\",
                "      --steps 3 --finetune-epochs 2 --out lenet5-pruned.onnx",
                "  minnow prune resnet20.onnx --dataset cifar10 --granularity channel --method l1 --target-macs 0.5 \\",
                "      --round-to 8 --finetune-epochs 10 --out resnet20-half.onnx --json",
                "  minnow prune model.onnx --dataset cifar10 --granularity 2:4 --finetune-epochs 1 --out sparse.onnx",
                "  minnow prune resnet20.onnx --dataset cifar10 --granularity channel --group-sparsity 'layer1.1.conv1=1' \\",
                "      --group-sparsity 'layer3.?.conv1=0.5' --finetune-epochs 5 --out resnet20-slim.onnx",
                "  minnow prune resnet20.onnx --dataset cifar10 --granularity channel --method reconstruction --sparsity 0.5 \\",
                "      --finetune-epochs 5 --out resnet20-thinet.onnx",
                "", "The input model file is never modified."})
final class PruneCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--granularity", defaultValue = "weight",
            description = "weight, kernel, channel, pattern (3x3 kernel patterns) or N:M such as 2:4 (default: ${DEFAULT-VALUE}).")
    String granularity;

    @Option(names = "--method", defaultValue = "magnitude",
            description = "Importance: magnitude (= l1), l1, l2, bn-scale, taylor (|w x gradient|; channels) or reconstruction"
                    + " (ThiNet: channels whose removal least changes the next layers' outputs; channels) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--taylor-batches", defaultValue = "16", description = "Training batches whose gradients Taylor importance sums (default: ${DEFAULT-VALUE}).")
    int taylorBatches;

    @Option(names = "--reconstruction-batches", defaultValue = "10", description = "Training batches (of --batch-size) over which"
            + " reconstruction importance samples the next layers' outputs, up to " + Reconstruction.DEFAULT_POSITIONS
            + " positions per layer (default: ${DEFAULT-VALUE}).")
    int reconstructionBatches;

    @Option(names = "--sparsity", description = "Fraction of weights (or, with channel, of each group's channels) removed.")
    Double sparsity;

    @Option(names = "--target-macs", description = "Fraction of dense MACs to remove (channel pruning).")
    Double targetMacs;

    @Option(names = "--target-params", description = "Fraction of parameters to remove.")
    Double targetParams;

    @Option(names = "--group-sparsity", paramLabel = "GROUP=F", description = "Fraction F of one channel group's channels"
            + " removed (repeatable; GROUP is a group's name, one of its layers or a pattern with *, as `minnow info MODEL"
            + " --channel-groups` lists them). F = 1 removes a residual block's inner group, so the block goes whole."
            + " Named groups are pruned at the first step and left out of --target-macs/--target-params/--sparsity,"
            + " which then apply to the other groups; alone, it is the whole plan.")
    Map<String, Double> groupSparsity = new LinkedHashMap<>();

    @Option(names = "--sensitivity", paramLabel = "FILE.json", description = "Per-layer sparsities from a sensitivity"
            + " sweep (the JSON of `minnow sensitivity MODEL --json` at the same granularity): each layer or group is"
            + " pruned as far as its curve allows, the least predicted accuracy lost per parameter (or, with"
            + " --target-macs, per MAC) removed, until the target is met. Needs --sparsity, --target-params or"
            + " --target-macs as the overall fraction.")
    Path sensitivityFile;

    @Option(names = "--group-lasso", paramLabel = "S", description = "Structured sparsity learning: before pruning, train"
            + " --lasso-epochs epochs with a group-lasso penalty of strength S on every channel (its weight rows, bias and"
            + " batch-norm entries together, through residual and concat couplings), so training drives whole channels"
            + " toward zero; then channel pruning (best with --method l2) removes them.")
    Double groupLasso;

    @Option(names = "--lasso-epochs", defaultValue = "2", description = "Epochs of group-lasso training before pruning (default: ${DEFAULT-VALUE}).")
    int lassoEpochs;

    @Option(names = "--scope", defaultValue = "global", description = "Fine-grained threshold: global (one magnitude threshold over all layers, so"
            + " large layers give up more) or layer (each layer the same fraction) (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--schedule", defaultValue = "oneshot", description = "oneshot, iterative (equal steps) or agp (Zhu & Gupta) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--steps", defaultValue = "3", description = "Pruning steps for iterative and agp (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--round-to", defaultValue = "16", description = "Channel pruning keeps a multiple of this many channels per group:"
            + " AVX-512 kernels (Minnow's, and ONNX Runtime's blocked layout) work in blocks of 16 floats; 8 suits"
            + " AVX2; 1 for exact fractions (default: ${DEFAULT-VALUE}).")
    int roundTo;

    @Option(names = "--finetune-epochs", defaultValue = "1", description = "Fine-tuning epochs after each pruning step; 0 for none (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--lr", description = "Fine-tuning learning rate (default: a fifth of the model's recorded recipe rate; else 0.01 with batch norm, 0.001 without). An export with batch norm folded into its convolutions fine-tunes with batch norm put back (then folded again), at 0.01.")
    Double lr;

    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "Fine-tuning weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = "64", description = "Fine-tuning batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--augment", description = "Random crop and flip while fine-tuning (CIFAR-like data).")
    boolean augment;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for fine-tuning (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to save the pruned model (.onnx).")
    Path out;

    @Option(names = "--histograms", paramLabel = "FILE.png", description = "Write histograms of the non-zero weights of the pruned layers, before and after, as a PNG chart.")
    Path histograms;

    /** Per-layer (or per-group) fractions from the sensitivity file for the overall target. */
    private Map<String, Double> allocate() {
        if (!groupSparsity.isEmpty()) {
            throw new InvalidInputException("give --sensitivity or --group-sparsity, not both");
        }
        var sweep = dev.minnow.compress.prune.Sensitivity.read(sensitivityFile);
        if (!sweep.granularity().equals(granularity)) {
            throw new InvalidInputException(sensitivityFile + " measured " + sweep.granularity() + " pruning, but this is "
                    + granularity + " pruning; run `minnow sensitivity MODEL --granularity " + granularity + " --json`");
        }
        Double target = targetMacs != null ? targetMacs : targetParams != null ? targetParams : sparsity;
        if (target == null || (targetMacs != null ? 1 : 0) + (targetParams != null ? 1 : 0) + (sparsity != null ? 1 : 0) != 1) {
            throw new InvalidInputException("--sensitivity needs one overall target: --sparsity, --target-params or --target-macs");
        }
        if (targetMacs != null && !granularity.equals("channel")) {
            throw new InvalidInputException("--target-macs needs --granularity channel");
        }
        Map<String, Double> r = new LinkedHashMap<>();
        dev.minnow.compress.prune.Sensitivity.allocate(sweep.curves(), target, targetMacs != null).forEach((layer, f) -> {
            if (f > 0) {
                r.put(layer, f);
            }
        });
        return r;
    }

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        if (histograms != null && !histograms.toString().endsWith(".png")) {
            throw new InvalidInputException("--histograms must name a .png file, got " + histograms);
        }
        if (!scope.equals("layer") && !scope.equals("global")) {
            throw new InvalidInputException("unknown --scope '" + scope + "'; use layer or global");
        }
        if (finetuneEpochs < 0) {
            throw new InvalidInputException("--finetune-epochs must be 0 or more, got " + finetuneEpochs);
        }
        if (method.equals("reconstruction") && !granularity.equals("channel")) {
            throw new InvalidInputException("--method reconstruction scores channels by the next layer's output: use it"
                    + " with --granularity channel (for weights, use magnitude)");
        }
        if (reconstructionBatches < 1) {
            throw new InvalidInputException("--reconstruction-batches must be at least 1, got " + reconstructionBatches);
        }
        Map<String, Double> allocation = sensitivityFile == null ? null : allocate();
        PruneRun.Settings settings = allocation == null
                ? new PruneRun.Settings(granularity, importance(), sparsity, targetMacs, targetParams, schedule, steps,
                        roundTo, scope.equals("global"), groupSparsity)
                : new PruneRun.Settings(granularity, importance(), null, null, null, schedule, steps, roundTo,
                        scope.equals("global"), allocation);
        Graph g = Models.load(model, seed);
        DatasetSplit loaded = data.load();
        Preprocessing pre = preprocess.resolve(g, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        double top1Before = evaluate(g, split);
        long paramsBefore = PruneRun.nonZeroParams(g);
        long macsBefore = g.macs();
        dev.minnow.compress.prune.FineTuning tuning = new dev.minnow.compress.prune.FineTuning(lr, weightDecay,
                batchSize, augment, seed, () -> new TrainCommand.ProgressListener(common.json));
        PruneRun.FineTune fineTune = tuning.forPruning(finetuneEpochs, split);
        java.util.function.Function<Graph, Importance> importance = method.equals("taylor")
                ? graph -> Taylor.importance(Taylor.gradients(graph, split.train(), split.normalization(), taylorBatches,
                        batchSize, seed))
                : method.equals("reconstruction")
                ? graph -> Reconstruction.sample(graph, split.train(), split.normalization(), reconstructionBatches,
                        batchSize, Reconstruction.DEFAULT_POSITIONS, seed)
                : graph -> ChannelPruner.importance(method.equals("magnitude") ? "l1" : method);
        if (method.equals("taylor") && !granularity.equals("channel")) {
            throw new InvalidInputException("--method taylor scores channels: use it with --granularity channel");
        }
        double[] lassoNorms = null;
        if (groupLasso != null) {
            if (!granularity.equals("channel")) {
                throw new InvalidInputException("--group-lasso drives whole channels to zero: use it with --granularity channel");
            }
            if (!(groupLasso > 0) || lassoEpochs < 1) {
                throw new InvalidInputException("--group-lasso needs a strength above 0 and --lasso-epochs of at least 1");
            }
            g = g.copy();
            lassoNorms = tuning.sparsify(g, groupLasso, lassoEpochs, split);
        }
        PruneRun.Result r = PruneRun.run(g, settings, fineTune, null, importance);
        Graph pruned = r.graph();
        double top1After = evaluate(pruned, split);
        long paramsAfter = PruneRun.nonZeroParams(pruned);
        pruned.metadata().put("minnow.command", "prune " + settings);
        pruned.metadata().put("minnow.dataset", data.dataset);
        pruned.metadata().put("minnow.test_top1", String.valueOf(top1After));
        pruned.metadata().putAll(pre.toMetadata());
        Onnx.write(pruned, out);

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("granularity", granularity);
        j.put("method", method);
        j.put("params_before", paramsBefore);
        j.put("params_after", paramsAfter);
        j.put("macs_before", macsBefore);
        j.put("macs_after", pruned.macs());
        j.put("sparsity", 1 - (double) paramsAfter / paramsBefore);
        j.put("compression", (double) paramsBefore / Math.max(1, paramsAfter));
        j.put("top1_before", top1Before);
        j.put("top1_after", top1After);
        j.put("out", out.toString());
        if (allocation != null) {
            j.put("allocation", allocation);
        }
        if (lassoNorms != null) {
            j.put("group_lasso", Map.of("strength", groupLasso, "epochs", lassoEpochs,
                    "channel_norm_sum_before", lassoNorms[0], "channel_norm_sum_after", lassoNorms[1]));
        }
        List<Map<String, Object>> layers = new ArrayList<>();
        Table t = new Table("layer", "op", "weight shape before", "after", "non-zero before", "after", "kept");
        for (Node n : g.nodes()) {
            if (!PruneRun.prunableWeights(g).contains(n.input(1))) {
                continue;
            }
            Tensor before = g.initializers().get(n.input(1));
            Node after = pruned.nodes().stream().filter(m -> m.name().equals(n.name())).findFirst().orElse(null);
            Tensor w = after == null ? null : pruned.initializers().get(after.input(1));
            long nzBefore = nonZero(before);
            long nzAfter = w == null ? 0 : nonZero(w);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("op", n.opType());
            row.put("shape_before", before.shape().dims());
            row.put("shape_after", w == null ? null : w.shape().dims());
            row.put("nonzero_before", nzBefore);
            row.put("nonzero_after", nzAfter);
            row.put("macs_before", g.nodeMacs(n));
            row.put("macs_after", after == null ? 0 : pruned.nodeMacs(after));
            layers.add(row);
            t.row(n.name(), n.opType(), before.shape().toString(), w == null ? "-" : w.shape().toString(),
                    Table.count(nzBefore), Table.count(nzAfter), Table.percent((double) nzAfter / Math.max(1, nzBefore)));
        }
        j.put("layers", layers);
        if (histograms != null) {
            Charts.histograms(histograms, "Weights of " + Path.of(model).getFileName() + " before and after pruning (zeros left out)", "weight",
                    Map.of("before", weightsOf(g), "after", weightsOf(pruned)), 120);
        }
        j.put("histograms", histograms == null ? null : histograms.toString());
        j.put("steps", r.steps().stream().map(s -> Map.of("step", s.step(), "sparsity", s.targetSparsity(),
                "nonzero_params", s.nonZeroParams(), "macs", s.macs())).toList());
        String human = t.render() + String.format("%nBefore: %s non-zero parameters, %s MACs, top-1 %s%n"
                        + "After:  %s non-zero parameters (%.1fx fewer), %s MACs, top-1 %s; saved to %s%n",
                Table.count(paramsBefore), Table.count(macsBefore), Table.percent(top1Before), Table.count(paramsAfter),
                (double) paramsBefore / Math.max(1, paramsAfter), Table.count(pruned.macs()), Table.percent(top1After), out);
        common.emit(j, human);
        return 0;
    }

    private String importance() {
        return switch (method) {
            case "magnitude", "l1", "l2", "bn-scale", "taylor", "reconstruction" -> method;
            default -> throw new InvalidInputException("unknown --method '" + method
                    + "'; use magnitude, l1, l2, bn-scale, taylor or reconstruction");
        };
    }

    /** Top-1 on the test split through the inference executor (the split is already preprocessed). */
    private static double evaluate(Graph g, DatasetSplit split) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        Model m = ex::run;
        return Evaluator.of(m).evaluate(split.test(), split.normalization(), 256, null).top1();
    }

    /** Every weight of the prunable layers, concatenated. */
    private static float[] weightsOf(Graph g) {
        List<String> names = PruneRun.prunableWeights(g);
        int n = 0;
        for (String w : names) {
            n += g.initializers().get(w).size();
        }
        float[] all = new float[n];
        int o = 0;
        for (String w : names) {
            float[] x = g.initializers().get(w).floats();
            System.arraycopy(x, 0, all, o, x.length);
            o += x.length;
        }
        return all;
    }

    private static long nonZero(Tensor t) {
        long n = 0;
        for (float v : t.floats()) {
            n += v != 0 ? 1 : 0;
        }
        return n;
    }
}
