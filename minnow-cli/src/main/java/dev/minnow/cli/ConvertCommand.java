package dev.minnow.cli;

import dev.minnow.compress.quant.DynamicQuantization;
import dev.minnow.compress.quant.HalfPrecisionWeights;
import dev.minnow.compress.quant.QuantScheme;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.onnx.Onnx;
import dev.minnow.onnx.backend.ModelRunner;
import dev.minnow.tensor.DType;
import dev.minnow.train.Evaluator;
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

@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a model's number format without calibration data: weights stored as float16 or "
                + "bfloat16 (Cast back to float32 after each), or dynamic int8 quantization (int8 weights per "
                + "channel, activations quantized per input: DynamicQuantizeLinear -> MatMulInteger/ConvInteger, "
                + "ONNX Runtime's dynamic form).",
                "With --dataset, top-1 on its test split before and after (on --backend)."},
        footer = {"", "Examples:", "  minnow convert resnet20.onnx --to float16 --out r20-fp16.onnx --dataset cifar10",
                "  minnow convert lenet300.onnx --to dynamic-int8 --out l300-dyn.onnx --dataset mnist --backend ort --json"})
final class ConvertCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Option(names = "--to", required = true, paramLabel = "FORMAT",
            description = "float16, bfloat16 or dynamic-int8.")
    String to;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The converted .onnx file.")
    Path out;

    @Option(names = "--weight-bits", defaultValue = "8", description = "dynamic-int8: weight bits, 2..8 (default: ${DEFAULT-VALUE}).")
    int weightBits;

    @Option(names = "--per-tensor", description = "dynamic-int8: one weight scale per tensor instead of per output channel.")
    boolean perTensor;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Evaluate before and after on this dataset's test "
            + "split (mnist, fashion-mnist, cifar10, imagefolder:PATH).")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where datasets live (default: $MINNOW_DATA, else ~/.cache/minnow).")
    String dataDir;

    @Mixin
    PreprocessOptions preprocess;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() {
        common.apply();
        if (!out.toString().endsWith(".onnx")) {
            throw new InvalidInputException("--out must name an .onnx file, got " + out);
        }
        GraphPass pass = switch (to) {
            case "float16" -> new HalfPrecisionWeights(DType.FLOAT16);
            case "bfloat16" -> new HalfPrecisionWeights(DType.BFLOAT16);
            case "dynamic-int8" -> new DynamicQuantization(QuantScheme.weights(weightBits).withPerChannel(!perTensor));
            default -> throw new InvalidInputException("unknown --to '" + to + "'; use float16, bfloat16 or dynamic-int8 "
                    + "(static int8 with calibration is `minnow quantize`)");
        };
        Graph g = Models.load(model, 1);
        PassResult result = pass.run(g);
        Graph converted = result.graph();
        PassRecord record = result.records().getFirst();
        if (to.equals("dynamic-int8") && record.count("quantized") == 0) {
            throw new InvalidInputException("no MatMul, Gemm or Conv with a constant float32 weight to quantize in "
                    + model + (record.changes().isEmpty() ? "" : ": " + String.join("; ", record.changes())));
        }
        converted.metadata().put("minnow.command", "convert --to " + to);
        Onnx.write(converted, out);

        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("to", to);
        j.put("out", out.toString());
        j.put("size_bytes_before", initializerBytes(g));
        j.put("size_bytes_after", initializerBytes(converted));
        j.put("converted", to.equals("dynamic-int8") ? record.count("quantized") : record.count("initializers"));
        List<String> keptFloat = new ArrayList<>();
        record.changes().stream().filter(c -> c.contains("kept in float")).forEach(keptFloat::add);
        j.put("kept_float", keptFloat);
        Double before = null;
        Double after = null;
        if (dataset != null) {
            DatasetSplit split = Datasets.load(dataset, Datasets.resolveDataDir(dataDir), null);
            Preprocessing pre = preprocess.resolve(g, split.normalization(), split.test().sampleShape().dim(2));
            before = top1(model, g, split, pre, "before");
            after = top1(out.toString(), Models.load(out.toString(), 1), split, pre, "after");
        }
        j.put("backend", backendOptions.backend().label);
        j.put("top1_before", before);
        j.put("top1_after", after);
        Table t = new Table("model", "to", "weights before", "weights after", "top-1 before", "top-1 after")
                .row(model, to, Table.count(initializerBytes(g)) + "B", Table.count(initializerBytes(converted)) + "B",
                        before == null ? "-" : Table.percent(before), after == null ? "-" : Table.percent(after));
        String human = t.render() + "wrote " + out + "\n";
        for (String k : keptFloat) {
            human += "warning: " + k + "\n";
        }
        common.emit(j, human);
        return 0;
    }

    /** Top-1 on the test split through the chosen backend, preprocessing as `eval` does. */
    private double top1(String modelArg, Graph g, DatasetSplit split, Preprocessing pre, String label) {
        int channels = split.test().sampleShape().dim(0);
        float[] ones = new float[channels];
        java.util.Arrays.fill(ones, 1f);
        Normalization identity = new Normalization(new float[channels], ones);
        Progress bar = new Progress("eval " + label, split.test().size(), "img");
        int fixedBatch = g.inputs().getFirst().type().shape().rank() > 0 ? g.inputs().getFirst().type().shape().dim(0) : -1;
        try (ModelRunner r = backendOptions.open(modelArg, g)) {
            double top1 = Evaluator.of(batch -> r.predict(pre.apply(batch))).evaluate(split.test(), identity,
                    fixedBatch > 0 ? fixedBatch : Evaluator.DEFAULT_BATCH_SIZE, (done, total) -> bar.update(done, null)).top1();
            bar.finish();
            return top1;
        }
    }

    /** Bytes of all initializers at their stored element types (what the weights occupy in the file). */
    static long initializerBytes(Graph g) {
        long[] bytes = {0};
        // forEach, not values(): reading the map's views counts as an edit of the graph
        g.initializers().forEach((name, t) -> bytes[0] += (long) t.size() * t.dtype().bytes);
        return bytes[0];
    }
}
