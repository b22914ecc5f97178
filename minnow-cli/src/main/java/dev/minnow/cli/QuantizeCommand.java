package dev.minnow.cli;

import dev.minnow.compress.quant.MixedPrecision;
import dev.minnow.compress.quant.PostTrainingQuantizer;
import dev.minnow.compress.quant.QuantizedWeights;
import dev.minnow.compress.quant.QuantScheme;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import dev.minnow.train.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Post-training static quantization: fold batch norm, calibrate activation ranges on samples of a",
                "dataset, and write an ONNX QDQ model (int8 per-channel weights, uint8 activations) that ONNX Runtime",
                "fuses into its integer kernels and Minnow runs as QLinearConv. Reports accuracy before and after,",
                "sizes, a per-layer table, and every op left in float."},
        footer = {"", "Examples:",
                "  minnow quantize lenet5.onnx --dataset mnist --calib-samples 512 --method entropy --out lenet5-int8.onnx",
                "  minnow quantize resnet18 --dataset cifar10 --resize 224 --calib-samples 64 --method minmax --no-eval \\",
                "      --out r18q.onnx --json",
                "  minnow quantize resnet20.onnx --dataset cifar10 --mixed-bits 2,4,8 --size-budget 0.1 --adaround \\",
                "      --out r20-mixed.onnx     # per-layer widths, weights at most 10%% of their float32 size",
                "", "The input model file is never modified."})
final class QuantizeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--calib-samples", defaultValue = "512", description = "Training images used to calibrate (default: ${DEFAULT-VALUE}).")
    int calibSamples;

    @Option(names = "--method", defaultValue = "minmax", description = "Activation range: minmax, percentile (99.99), entropy (KL) or mse (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--weight-method", defaultValue = "minmax", description = "Weight range: minmax or mse (default: ${DEFAULT-VALUE}).")
    String weightMethod;

    @Option(names = "--weight-bits", defaultValue = "8", description = "Weight bits, 2-8 (stored as int8, counted packed) (default: ${DEFAULT-VALUE}).")
    int weightBits;

    @Option(names = "--act-bits", defaultValue = "8", description = "Activation bits, 2-8 (default: ${DEFAULT-VALUE}).")
    int actBits;

    @Option(names = "--per-channel", description = "One weight scale per output channel (the default).")
    boolean perChannel;

    @Option(names = "--per-tensor", description = "One weight scale per layer.")
    boolean perTensor;

    @Option(names = "--symmetric-activations", description = "Zero point 0 for every activation (int8 where values can be negative).")
    boolean symmetricActivations;

    @Option(names = "--power-of-two", description = "Round every scale up to a power of two (fixed-point accelerators).")
    boolean powerOfTwo;

    @Option(names = "--cle", description = "Cross-layer equalization first (Nagel et al. 2019): rescale consecutive convolutions' channels so per-tensor weight ranges even out; the float function is unchanged.")
    boolean cle;

    @Option(names = "--adaround", description = "Learn each weight's rounding (up or down) layer by layer on the calibration data (AdaRound, Nagel et al. 2020) instead of rounding to nearest; most useful at 4 bits and below.")
    boolean adaround;

    @Option(names = "--adaround-iterations", defaultValue = "1000", description = "AdaRound optimizer steps per layer (default: ${DEFAULT-VALUE}).")
    int adaroundIterations;

    @Option(names = "--bias-correction", description = "Subtract the mean output shift that weight rounding causes, measured per channel on the calibration data, from each bias.")
    boolean biasCorrection;

    @Option(names = "--mixed-bits", split = ",", paramLabel = "B[,B..]", description = "Mixed precision: choose each layer's weight width from these (e.g. 2,4,8) by its measured sensitivity (each layer alone rounded, the model's output error on the calibration data), the least summed error under --size-budget or --bops-budget (exact knapsack). --weight-bits is then the width of layers not chosen for.")
    int[] mixedBits;

    @Option(names = "--size-budget", paramLabel = "BYTES|FRACTION", description = "With --mixed-bits: the quantized layers' packed weights at most this many bytes, or this fraction of their float32 size when at most 1 (e.g. 0.15 = between 4 bits (0.125) and 8 bits (0.25)).")
    Double sizeBudget;

    @Option(names = "--bops-budget", paramLabel = "BOPS", description = "With --mixed-bits: bit operations of the quantized layers at batch 1 (MACs x weight bits x --act-bits) at most this many (e.g. 1.5e9).")
    Double bopsBudget;

    @Option(names = "--no-eval", description = "Skip the accuracy before and after (calibration-only use).")
    boolean noEval;

    @Option(names = "--batch-size", defaultValue = "32", description = "Calibration and evaluation batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the calibration sample choice and zoo weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to save the quantized model (.onnx).")
    Path out;

    @Option(names = "--histograms", paramLabel = "FILE.png", description = "Write histograms of the quantized layers' weights before and after as a PNG chart.")
    Path histograms;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        if (histograms != null && !histograms.toString().endsWith(".png")) {
            throw new InvalidInputException("--histograms must name a .png file, got " + histograms);
        }
        if (perChannel && perTensor) {
            throw new InvalidInputException("give --per-channel or --per-tensor, not both");
        }
        if (weightBits < 2 || weightBits > 8 || actBits < 2 || actBits > 8) {
            throw new InvalidInputException("--weight-bits and --act-bits must be between 2 and 8 for an ONNX QDQ model"
                    + " (got " + weightBits + " and " + actBits + ")");
        }
        if (calibSamples < 1) {
            throw new InvalidInputException("--calib-samples must be at least 1, got " + calibSamples);
        }
        if (batchSize < 1) {
            throw new InvalidInputException("--batch-size must be at least 1, got " + batchSize);
        }
        QuantScheme w = QuantScheme.weights(weightBits).withPerChannel(!perTensor).withPowerOfTwo(powerOfTwo);
        QuantScheme a = QuantScheme.activations(actBits).withPowerOfTwo(powerOfTwo);
        PostTrainingQuantizer.Settings settings = new PostTrainingQuantizer.Settings(method, w, a, symmetricActivations,
                weightMethod);
        Graph g = Models.load(model, seed);
        DatasetSplit split = data.load();
        Preprocessing pre = preprocess.resolve(g, split.normalization(), split.test().sampleShape().dim(2));
        Double top1Before = noEval ? null : evaluate(g, split, pre);
        List<Tensor> calib = calibrationBatches(split.train(), pre);
        Progress bar = new Progress("calibrate", calib.stream().mapToLong(t -> t.shape().dim(0)).sum(), "img");
        if (adaroundIterations < 1) {
            throw new InvalidInputException("--adaround-iterations must be at least 1, got " + adaroundIterations);
        }
        PostTrainingQuantizer.Preparation preparation = new PostTrainingQuantizer.Preparation(cle, adaround,
                adaroundIterations, biasCorrection, seed);
        MixedPrecision.Allocation allocation = null;
        if (mixedBits != null) {
            allocation = allocate(g, calib, w);
            preparation = preparation.withBitsByNode(allocation.bitsByNode());
        }
        QuantizedWeights prepared = PostTrainingQuantizer.prepare(g, calib, w, preparation);
        PostTrainingQuantizer.Result r = PostTrainingQuantizer.quantize(prepared.graph(), calib, settings,
                prepared.weightParams(), UnaryOperator.identity(), done -> bar.update(done, null));
        bar.finish();
        Graph q = r.graph();
        q.metadata().put("minnow.command", "quantize " + settings);
        q.metadata().put("minnow.dataset", data.dataset);
        q.metadata().put("minnow.calib_samples", String.valueOf(calibSamples));
        q.metadata().putAll(pre.toMetadata());
        Double top1After = noEval ? null : evaluate(q, split, pre);
        if (top1After != null) {
            q.metadata().put("minnow.test_top1", String.valueOf(top1After));
        }
        Onnx.write(q, out);
        if (histograms != null) {
            Charts.histograms(histograms, "Weights of " + Path.of(model).getFileName() + " before and after quantization",
                    "weight", weightsBeforeAfter(r), 200);
        }
        // the size of the model as given: --cle / --adaround / --bias-correction hand over a folded graph
        long sizeBefore = PostTrainingQuantizer.sizeBytes(g, 32);
        common.emit(json(r, sizeBefore, top1Before, top1After), human(r, sizeBefore, top1Before, top1After));
        return 0;
    }

    /** The per-layer widths under the budget; checks the mixed-precision options first. */
    private MixedPrecision.Allocation allocate(Graph g, List<Tensor> calib, QuantScheme w) {
        if ((sizeBudget == null) == (bopsBudget == null)) {
            throw new InvalidInputException("--mixed-bits needs one budget: --size-budget BYTES|FRACTION or --bops-budget BOPS");
        }
        for (int b : mixedBits) {
            if (b < 2 || b > 8) {
                throw new InvalidInputException("--mixed-bits widths must be between 2 and 8, got " + b);
            }
        }
        double budget = sizeBudget != null ? sizeBudget : bopsBudget;
        if (!(budget > 0) || Double.isInfinite(budget)) {
            throw new InvalidInputException("the mixed-precision budget must be a positive number, got " + budget);
        }
        List<MixedPrecision.LayerSensitivity> layers = MixedPrecision.sensitivity(g, calib, w, mixedBits);
        long params = layers.stream().mapToLong(MixedPrecision.LayerSensitivity::params).sum();
        MixedPrecision.Budget b = sizeBudget != null
                ? new MixedPrecision.ModelSize(sizeBudget <= 1 ? Math.round(sizeBudget * params * 4) : Math.round(sizeBudget))
                : new MixedPrecision.BitOps(Math.round(bopsBudget), actBits);
        MixedPrecision.Allocation a = MixedPrecision.allocate(layers, b, mixedBits);
        mixed = a;
        return a;
    }

    /** The allocation, for the output (null without --mixed-bits). */
    private MixedPrecision.Allocation mixed;

    /** calibSamples training images (a seeded random choice), preprocessed, in batches. */
    private List<Tensor> calibrationBatches(Dataset train, Preprocessing pre) {
        if (train.size() == 0) {
            throw new InvalidInputException("the calibration set (the training split of " + data.dataset + ") is empty");
        }
        int n = Math.min(calibSamples, train.size());
        int[] order = new java.util.Random(seed).ints(0, train.size()).distinct().limit(n).toArray();
        Shape s = train.sampleShape();
        int per = (int) s.size();
        List<Tensor> batches = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int m = Math.min(batchSize, n - from);
            float[] x = new float[m * per];
            for (int i = 0; i < m; i++) {
                train.copySample(order[from + i], x, i * per);
            }
            batches.add(pre.apply(Tensor.of(Shape.of(m, s.dim(0), s.dim(1), s.dim(2)), x)));
        }
        return batches;
    }

    private double evaluate(Graph g, DatasetSplit split, Preprocessing pre) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        Model runner = batch -> ex.run(pre.apply(batch));
        int channels = split.test().sampleShape().dim(0);
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        Progress bar = new Progress("eval", split.test().size(), "img");
        double top1 = Evaluator.of(runner).evaluate(split.test(), new Normalization(new float[channels], ones), 256,
                (done, total) -> bar.update(done, null)).top1();
        bar.finish();
        return top1;
    }

    private Map<String, Object> json(PostTrainingQuantizer.Result r, long sizeBefore, Double before, Double after) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("method", method);
        j.put("weight_bits", weightBits);
        j.put("act_bits", actBits);
        j.put("per_channel", !perTensor);
        j.put("calib_samples", calibSamples);
        j.put("top1_before", before);
        j.put("top1_after", after);
        j.put("size_bytes_before", sizeBefore);
        j.put("size_bytes_after", r.sizeBytesAfter());
        j.put("out", out.toString());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (PostTrainingQuantizer.Layer l : r.layers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.name());
            row.put("op", l.op());
            row.put("weight_bits", l.weightBits() == 0 ? null : l.weightBits());
            row.put("weight_scale_min", finite(l.weightScaleMin()));
            row.put("weight_scale_max", finite(l.weightScaleMax()));
            row.put("activation_min", finite(l.activationMin()));
            row.put("activation_max", finite(l.activationMax()));
            row.put("weight_sqnr_db", finite(l.weightSqnrDb()));
            row.put("output_sqnr_db", finite(l.outputSqnrDb()));
            layers.add(row);
        }
        j.put("layers", layers);
        if (mixed != null) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("unit", mixed.unit());
            m.put("budget", mixed.budget());
            m.put("cost", mixed.cost());
            m.put("predicted_error", mixed.predictedError());
            m.put("bits_by_layer", mixed.bitsByNode());
            j.put("mixed_precision", m);
        }
        j.put("float_ops", r.floatNodes());
        j.put("histograms", histograms == null ? null : histograms.toString());
        return j;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private String human(PostTrainingQuantizer.Result r, long sizeBefore, Double before, Double after) {
        Table t = new Table("layer", "op", "bits", "weight scale", "output range", "weight SQNR", "output SQNR");
        for (PostTrainingQuantizer.Layer l : r.layers()) {
            t.row(l.name(), l.op(), l.weightBits() == 0 ? "-" : String.valueOf(l.weightBits()),
                    Double.isNaN(l.weightScaleMin()) ? "-" : String.format("%.2e..%.2e", l.weightScaleMin(), l.weightScaleMax()),
                    Double.isNaN(l.activationMin()) ? "float" : String.format("[%.3g, %.3g]", l.activationMin(), l.activationMax()),
                    db(l.weightSqnrDb()), db(l.outputSqnrDb()));
        }
        StringBuilder s = new StringBuilder(t.render());
        if (mixed != null) {
            s.append(String.format("Mixed precision: %s of %s %s (%s layers), widths %s%n",
                    Table.count(Math.round(mixed.cost())), Table.count(Math.round(mixed.budget())), mixed.unit(),
                    mixed.bitsByNode().size(), mixed.bitsByNode().values()));
        }
        for (String f : r.floatNodes()) {
            s.append("warning: ").append(f).append(" has no integer path and stays in float\n");
        }
        s.append(String.format("%nSize: %s -> %s bytes (%.1fx smaller)%n", Table.count(sizeBefore),
                Table.count(r.sizeBytesAfter()), (double) sizeBefore / Math.max(1, r.sizeBytesAfter())));
        if (before != null) {
            s.append(String.format("Top-1: %s -> %s%n", Table.percent(before), Table.percent(after)));
        }
        s.append("Saved to ").append(out).append('\n');
        return s.toString();
    }

    private static String db(double v) {
        return Double.isNaN(v) ? "-" : Double.isInfinite(v) ? "exact" : String.format("%.1f dB", v);
    }

    /** The quantized layers' float weights, and the same weights as the integer model sees them. */
    private static Map<String, float[]> weightsBeforeAfter(PostTrainingQuantizer.Result r) {
        List<float[]> before = new ArrayList<>();
        List<float[]> after = new ArrayList<>();
        for (Map.Entry<String, dev.minnow.compress.quant.QuantParams> e : r.weights().entrySet()) {
            Tensor w = r.folded().initializers().get(e.getKey());
            before.add(w.floats());
            after.add(e.getValue().fakeQuantize(w).floats());
        }
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("float", concat(before));
        m.put("quantized", concat(after));
        return m;
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] all = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return all;
    }
}
