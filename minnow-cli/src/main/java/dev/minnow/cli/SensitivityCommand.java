package dev.minnow.cli;

import dev.minnow.compress.prune.ChannelPruner;
import dev.minnow.compress.prune.Sensitivity;
import dev.minnow.compress.prune.SensitivitySweep;
import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.JobRunnerProvider;
import dev.minnow.compress.recipe.LocalJobRunner;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
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

@Command(name = "sensitivity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prune one layer at a time (the others dense) at a range of sparsities and measure test accuracy:",
                "which layers tolerate pruning. With --plot, the curves as a PNG chart."},
        footer = {"", "Examples:", "  minnow sensitivity lenet5.onnx --dataset mnist --plot lenet5-sensitivity.png",
                "  minnow sensitivity resnet20.onnx --dataset cifar10 --granularity channel --samples 2000 --json",
                "  MINNOW_SPARK=1 minnow sensitivity lenet5.onnx --dataset mnist --spark local[2]"})
final class SensitivityCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Mixin
    DataOptions data;

    @Mixin
    PreprocessOptions preprocess;

    @Option(names = "--granularity", defaultValue = "weight", description = "weight (magnitude per layer) or channel (per coupled group) (default: ${DEFAULT-VALUE}).")
    String granularity;

    @Option(names = "--method", defaultValue = "l1", description = "Channel importance: l1, l2 or bn-scale (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--sparsities", split = ",", defaultValue = "0.3,0.5,0.7,0.8,0.9,0.95",
            description = "Sparsities to measure, rising (default: ${DEFAULT-VALUE}).")
    double[] sparsities;

    @Option(names = "--samples", defaultValue = "2000", description = "Test images per measurement, every k-th so all classes are in (0 = all) (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Write the curves as a PNG chart.")
    Path plot;

    @Option(names = "--spark", paramLabel = "MASTER", description = "Run the measurements as Apache Spark tasks on MASTER"
            + " (local[2], spark://host:7077); needs MINNOW_SPARK=1 ./minnow (docs/COMPRESS.md).")
    String spark;

    @Override
    public Integer call() {
        common.apply();
        if (plot != null && !plot.toString().endsWith(".png")) {
            throw new InvalidInputException("--plot must name a .png file, got " + plot);
        }
        if (samples < 0) {
            throw new InvalidInputException("--samples must be 0 (all) or more, got " + samples);
        }
        Graph g = Models.load(model, 1);
        DatasetSplit loaded = data.load();
        Preprocessing pre = preprocess.resolve(g, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        Dataset test = samples == 0 || samples >= split.test().size() ? split.test() : strided(split.test(), samples);
        SensitivitySweep.Granularity gran = SensitivitySweep.Granularity.parse(granularity);
        List<Sensitivity.Layer> layers = SensitivitySweep.layers(g, gran, method);
        if (layers.isEmpty()) {
            throw new InvalidInputException("model " + model + " has no prunable " + (granularity.equals("weight")
                    ? "Conv, Gemm or MatMul weights" : "channel groups (every group is blocked; see docs/PRUNING.md)"));
        }
        // the model travels as ONNX bytes and the test images as arrays: the same sweep runs here or on Spark
        SensitivitySweep.Input in = new SensitivitySweep.Input(Onnx.toBytes(g), Onnx::fromBytes, gran, method,
                SensitivitySweep.HeldOut.of(test, split.normalization()));
        Progress bar = new Progress("sensitivity", layers.size() * sparsities.length + 1, "run");
        List<Sensitivity.Curve> curves;
        try (JobRunner runner = spark == null ? new LocalJobRunner(1) : JobRunnerProvider.open("spark", spark)) {
            curves = SensitivitySweep.run(runner, in, sparsities, n -> bar.update(n, null));
        }
        bar.finish();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("granularity", granularity);
        j.put("samples", test.size());
        j.put("dense_top1", curves.get(0).accuracies()[0]);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> head = new ArrayList<>(List.of("layer", "params"));
        for (double s : sparsities) {
            head.add(String.format("%.0f%%", 100 * s));
        }
        Table t = new Table(head.toArray(new String[0]));
        List<Charts.Series> series = new ArrayList<>();
        for (Sensitivity.Curve c : curves) {
            List<Map<String, Object>> points = new ArrayList<>();
            List<Object> cells = new ArrayList<>(List.of(c.layer(), Table.count(c.params())));
            for (int k = 0; k < c.sparsities().length; k++) {
                points.add(Map.of("sparsity", c.sparsities()[k], "top1", c.accuracies()[k]));
                if (k > 0) {
                    cells.add(Table.percent(c.accuracies()[k]));
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", c.layer());
            row.put("params", c.params());
            row.put("macs", c.macs());
            row.put("curve", points);
            rows.add(row);
            t.row(cells.toArray());
            double[] pct = new double[c.accuracies().length];
            for (int k = 0; k < pct.length; k++) {
                pct[k] = 100 * c.accuracies()[k];
            }
            series.add(new Charts.Series(c.layer(), c.sparsities(), pct));
        }
        j.put("layers", rows);
        if (plot != null) {
            Charts.lines(plot, "Sensitivity of " + model + " (" + granularity + " pruning, one layer at a time)",
                    "sparsity", "test top-1 (%)", series);
        }
        j.put("plot", plot == null ? null : plot.toString());
        String human = t.render() + String.format("%nDense top-1 %s on %d test images%s%n",
                Table.percent(curves.get(0).accuracies()[0]), test.size(), plot == null ? "" : "; chart: " + plot);
        common.emit(j, human);
        return 0;
    }

    /** n samples spread evenly over the dataset (test folders are often sorted by class). */
    private static Dataset strided(Dataset d, int n) {
        int stride = d.size() / n;
        return new Dataset() {
            public int size() {
                return n;
            }

            public Shape sampleShape() {
                return d.sampleShape();
            }

            public int numClasses() {
                return d.numClasses();
            }

            public void copySample(int index, float[] dst, int dstOffset) {
                d.copySample(index * stride, dst, dstOffset);
            }

            public int label(int index) {
                return d.label(index * stride);
            }

            public List<String> classNames() {
                return d.classNames();
            }
        };
    }
}
