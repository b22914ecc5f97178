package dev.minnow.cli;

import dev.minnow.compress.cluster.CentroidInit;
import dev.minnow.compress.cluster.ClusterRun;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Model;
import dev.minnow.train.Optimizers;
import dev.minnow.train.Trainer;
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

@Command(name = "cluster", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trained weight sharing (Deep Compression): k-means over each layer's non-zero weights, so a layer",
                "keeps at most 2^bits distinct values, then fine-tuning of the shared values (each centroid moves by the",
                "sum of its weights' gradients). Pruned (zero) weights stay zero. `minnow encode` then stores each",
                "clustered layer as a codebook with Huffman-coded indices (docs/DEEP_COMPRESSION.md)."},
        footer = {"", "Examples:",
                "  minnow cluster lenet-pruned.onnx --dataset mnist --bits-fc 6 --finetune-epochs 3 --out lenet-c.onnx",
                "  minnow cluster lenet5-pruned.onnx --dataset mnist --bits-conv 8 --bits-fc 5 --init density \\",
                "      --finetune-epochs 2 --out lenet5-c.onnx --json", "", "The input model file is never modified."})
final class ClusterCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name (usually pruned first).")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--bits-conv", defaultValue = "8", description = "Bits per Conv weight: 2^bits shared values per layer, 1 to 8 (default: ${DEFAULT-VALUE}, the paper's).")
    int bitsConv;

    @Option(names = "--bits-fc", defaultValue = "5", description = "Bits per Gemm/MatMul weight, 1 to 8 (default: ${DEFAULT-VALUE}; the paper used 5 or 6).")
    int bitsFc;

    @Option(names = "--init", defaultValue = "linear", description = "Centroid initialization: linear, density or random (Forgy) (default: ${DEFAULT-VALUE}, the paper's best).")
    String init;

    @Option(names = "--max-iterations", defaultValue = "100", description = "k-means passes at most (default: ${DEFAULT-VALUE}).")
    int maxIterations;

    @Option(names = "--finetune-epochs", defaultValue = "1", description = "Epochs of centroid fine-tuning; 0 for none (default: ${DEFAULT-VALUE}).")
    int finetuneEpochs;

    @Option(names = "--lr", description = "Fine-tuning learning rate. A centroid moves by lr x the SUM of its weights' gradients,"
            + " so this is far below a training rate (default: the pruning fine-tune rate / " + RATE_DIVISOR + ").")
    Double lr;

    @Option(names = "--batch-size", defaultValue = "64", description = "Fine-tuning batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for random init and fine-tuning (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to save the clustered model (.onnx).")
    Path out;

    /** Centroids take summed gradients: with hundreds of weights per cluster a per-weight rate throws them about (LeNet-300-100, 6-bit fc, 3 epochs: lr 1e-3 98.25%, 3e-4 98.29%, 1e-4 98.30%, 3e-5 98.34%). */
    static final int RATE_DIVISOR = dev.minnow.compress.cluster.ClusterRun.FINE_TUNE_RATE_DIVISOR;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        if (finetuneEpochs < 0) {
            throw new InvalidInputException("--finetune-epochs must be 0 or more, got " + finetuneEpochs);
        }
        if (lr != null && !(lr > 0 && Double.isFinite(lr))) {
            throw new InvalidInputException("--lr must be a positive number, got " + lr);
        }
        ClusterRun.Settings settings = new ClusterRun.Settings(bitsConv, bitsFc, CentroidInit.parse(init), seed, maxIterations);
        Graph g = Models.load(model, seed);
        DatasetSplit loaded = data.load();
        Preprocessing pre = preprocess.resolve(g, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        double top1Before = evaluate(g, split);
        ClusterRun.Result r = ClusterRun.run(g, settings);
        Graph c = r.graph();
        double top1Clustered = evaluate(c, split);
        double rate = lr != null ? lr : dev.minnow.compress.prune.FineTuning.defaultRate(c) / RATE_DIVISOR;
        double top1After = top1Clustered;
        if (finetuneEpochs > 0) {
            TrainCommand.ProgressListener listener = new TrainCommand.ProgressListener(common.json);
            Trainer.of(c).constraint(r.sharing()).epochs(finetuneEpochs).batchSize(batchSize).seed(seed)
                    .optimizer(Optimizers.momentum(rate, 0.9, true)).loss(Losses.crossEntropy())
                    .schedule(LrSchedule.cosine(0)).maxLoss(1e3).listener(listener).fit(split);
            listener.done();
            top1After = evaluate(c, split);
        }
        c.metadata().put("minnow.command", "cluster bits_conv=" + bitsConv + " bits_fc=" + bitsFc + " init=" + init
                + " finetune_epochs=" + finetuneEpochs + " lr=" + rate + " seed=" + seed);
        c.metadata().put("minnow.dataset", data.dataset);
        c.metadata().put("minnow.test_top1", String.valueOf(top1After));
        c.metadata().putAll(pre.toMetadata());
        Onnx.write(c, out);

        List<Map<String, Object>> layers = new ArrayList<>();
        Table t = new Table("layer", "op", "weight", "non-zero", "bits", "clusters", "distinct values", "k-means passes");
        for (ClusterRun.Layer l : r.layers()) {
            Tensor w = c.initializers().get(l.weight());
            int distinct = ClusterRun.distinctNonZeros(w);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.node());
            m.put("weight", l.weight());
            m.put("op", l.opType());
            m.put("shape", w.shape().dims());
            m.put("non_zeros", l.nonZeros());
            m.put("bits", l.bits());
            m.put("clusters", l.clusters());
            m.put("distinct_values", distinct);
            m.put("kmeans_iterations", l.iterations());
            m.put("kmeans_converged", l.converged());
            layers.add(m);
            t.row(l.node(), l.opType(), w.shape().toString(), Table.count(l.nonZeros()), String.valueOf(l.bits()),
                    String.valueOf(l.clusters()), String.valueOf(distinct), l.iterations() + (l.converged() ? "" : " (cap)"));
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("bits_conv", bitsConv);
        j.put("bits_fc", bitsFc);
        j.put("init", settings.init().name().toLowerCase(java.util.Locale.ROOT));
        j.put("finetune_epochs", finetuneEpochs);
        j.put("lr", rate);
        j.put("seed", seed);
        j.put("top1_before", top1Before);
        j.put("top1_clustered", top1Clustered);
        j.put("top1_after", top1After);
        j.put("layers", layers);
        j.put("out", out.toString());
        String human = t.render() + String.format("%nTop-1: %s before, %s right after k-means, %s after %d fine-tuning"
                        + " epoch(s) (lr %s); saved to %s%n", Table.percent(top1Before), Table.percent(top1Clustered),
                Table.percent(top1After), finetuneEpochs, rate, out);
        common.emit(j, human);
        return 0;
    }

    private static double evaluate(Graph g, DatasetSplit split) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        Model m = ex::run;
        return Evaluator.of(m).evaluate(split.test(), split.normalization(), 256, null).top1();
    }
}
