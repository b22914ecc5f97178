package dev.minnow.cli;

import dev.minnow.compress.quant.qat.QatConfig;
import dev.minnow.compress.quant.qat.QatConstraint;
import dev.minnow.compress.quant.qat.QatExport;
import dev.minnow.compress.quant.qat.QatTraining;
import dev.minnow.compress.quant.qat.QatPrepare;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import dev.minnow.train.Losses;
import dev.minnow.train.LrSchedule;
import dev.minnow.train.Model;
import dev.minnow.train.Optimizers;
import dev.minnow.train.ParameterGroup;
import dev.minnow.train.Trainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "qat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantization-aware training: fold batch norm, insert fake-quantizers (weights per channel, activations",
                "per tensor) calibrated on a few batches, fine-tune with the straight-through estimator (LSQ, PACT, DoReFa,",
                "min-max, or binary / ternary weights), and export a standard ONNX QDQ model that ONNX Runtime runs."},
        footer = {"", "Examples:",
                "  minnow qat lenet5.onnx --dataset mnist --binary-weights --act-bits 8 --epochs 3 --out l5-bin.onnx",
                "  minnow qat models/resnet20-cifar10.onnx --dataset cifar10 --weight-bits 4 --act-bits 4 --method lsq \\",
                "      --epochs 15 --lr 0.001 --augment --out r20-w4a4.onnx --json",
                "", "The input model file is never modified."})
final class QatCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--weight-bits", defaultValue = "8", description = "Weight bits, 2-8 (DoReFa 1-7) (default: ${DEFAULT-VALUE}).")
    int weightBits;

    @Option(names = "--act-bits", defaultValue = "8", description = "Activation bits, 2-8 (default: ${DEFAULT-VALUE}).")
    int actBits;

    @Option(names = "--method", defaultValue = "lsq", description = "lsq (learned steps), pact (learned ReLU clip), dorefa"
            + " (tanh-normalized weights, activations clipped to [0,1]) or minmax (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--binary-weights", description = "Weights sign(w) x mean|w| per output channel (1 bit).")
    boolean binary;

    @Option(names = "--ternary-weights", description = "Weights in {-a, 0, a} per output channel (TWN threshold 0.7 mean|w|; 2 bits).")
    boolean ternary;

    @Option(names = "--calib-batches", defaultValue = "4", description = "Training batches that set the starting ranges (default: ${DEFAULT-VALUE}).")
    int calibBatches;

    @Option(names = "--epochs", defaultValue = "1", description = "Fine-tuning epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--lr", description = "Learning rate (default: a fifth of the model's recorded recipe rate, else 0.001: batch norm is folded into the convolutions for QAT, and folded networks diverge at 0.01).")
    Double lr;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "Weight decay on weights; none on steps and clips (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--augment", description = "Random crop and flip while training (CIFAR-like data).")
    boolean augment;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to save the QDQ model (.onnx).")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        if (binary && ternary) {
            throw new InvalidInputException("choose one of --binary-weights and --ternary-weights");
        }
        if (epochs < 0 || calibBatches < 1) {
            throw new InvalidInputException("--epochs must be 0 or more and --calib-batches 1 or more");
        }
        QatConfig.Method m = switch (method) {
            case "lsq", "pact", "dorefa", "minmax" -> QatConfig.Method.valueOf(method.toUpperCase(Locale.ROOT));
            default -> throw new InvalidInputException("unknown --method '" + method + "'; use lsq, pact, dorefa or minmax");
        };
        QatConfig config = new QatConfig(weightBits, actBits, m,
                binary ? QatConfig.WeightMode.BINARY : ternary ? QatConfig.WeightMode.TERNARY : QatConfig.WeightMode.UNIFORM);
        Graph g = Models.load(model, seed);
        DatasetSplit loaded = data.load();
        Preprocessing pre = preprocess.resolve(g, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        double top1Before = evaluate(g, split);
        double rate = lr != null ? lr : dev.minnow.compress.quant.qat.QatTraining.defaultRate(g);
        TrainCommand.ProgressListener listener = new TrainCommand.ProgressListener(common.json);
        QatExport.Exported exported = new QatTraining(config, epochs, rate, weightDecay, batchSize, augment, seed)
                .run(g, calibration(split, calibBatches, batchSize), split, listener);
        listener.done();
        Graph q = exported.graph();
        double top1After = evaluate(q, split);
        q.metadata().put("minnow.command", "qat " + config.describe() + " epochs=" + epochs + " lr=" + rate + " seed=" + seed);
        q.metadata().put("minnow.dataset", data.dataset);
        q.metadata().put("minnow.test_top1", String.valueOf(top1After));
        q.metadata().putAll(pre.toMetadata());
        Onnx.write(q, out);

        long sizeBefore = g.initializers().values().stream().mapToLong(x -> (long) x.size() * x.dtype().bytes).sum();
        long sizeAfter = exported.sizeBytes();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("method", method);
        j.put("weights", config.weights().name().toLowerCase(Locale.ROOT));
        j.put("weight_bits", config.packedWeightBits());
        j.put("act_bits", actBits);
        j.put("epochs", epochs);
        j.put("lr", rate);
        j.put("seed", seed);
        j.put("top1_before", top1Before);
        j.put("top1_after", top1After);
        j.put("size_bytes_before", sizeBefore);
        j.put("size_bytes_after", sizeAfter);
        j.put("out", out.toString());
        List<Map<String, Object>> layers = new ArrayList<>();
        Table table = new Table("layer", "op", "weights", "channels", "weight bits", "act bits");
        for (QatExport.Layer l : exported.layers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.node());
            row.put("op", l.opType());
            row.put("weights", l.weights());
            row.put("channels", l.channels());
            row.put("weight_bits", l.bits());
            row.put("act_bits", actBits);
            layers.add(row);
            table.row(l.node(), l.opType(), Table.count(l.weights()), String.valueOf(l.channels()), String.valueOf(l.bits()),
                    String.valueOf(actBits));
        }
        j.put("layers", layers);
        String human = table.render() + String.format("%nBefore: top-1 %s, %s bytes of weights%n"
                        + "After:  top-1 %s, %s bytes (sub-8-bit weights packed; %s); saved to %s%n",
                Table.percent(top1Before), Table.count(sizeBefore), Table.percent(top1After), Table.count(sizeAfter),
                config.describe(), out);
        common.emit(j, human);
        return 0;
    }

    /** The first n training batches, normalized as the model expects (NCHW). */
    static List<Tensor> calibration(DatasetSplit split, int batches, int batchSize) {
        // the first batches in order: QAT's ranges are a starting point the training moves anyway
        return dev.minnow.compress.quant.CalibrationBatches.of(split, batches * batchSize, batchSize, -1);
    }

    private static double evaluate(Graph g, DatasetSplit split) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        Model m = ex::run;
        return Evaluator.of(m).evaluate(split.test(), split.normalization(), 256, null).top1();
    }
}
