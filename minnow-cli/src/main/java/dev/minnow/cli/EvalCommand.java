package dev.minnow.cli;

import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.train.Model;
import dev.minnow.onnx.backend.Backend;
import dev.minnow.onnx.backend.ModelRunner;
import dev.minnow.graph.Graph;
import dev.minnow.train.EvalResult;
import dev.minnow.train.Evaluator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a model on the test split of a dataset: top-1, top-5, loss and the confusion matrix.",
        footer = {"", "Examples:", "  minnow eval lenet5.onnx --dataset mnist",
                "  minnow eval model.onnx --dataset cifar10 --json",
                "  minnow eval q.onnx --dataset mnist --backend ort",
                "  minnow eval int8.onnx --compare-with float.onnx --dataset cifar10 --resize 224 --samples 1000",
                "  minnow eval resnet50.onnx --dataset imagefolder:val-subset --classes synsets.txt --resize 224"})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name (fresh weights).")
    String model;

    @Mixin
    DataOptions data;

    @Option(names = "--batch-size", defaultValue = "256", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    PreprocessOptions preprocess;

    @Mixin
    BackendOptions backendOptions;

    @Option(names = "--confusion", description = "Also print the confusion matrix.")
    boolean confusion;

    @Option(names = "--samples", paramLabel = "N", description = "Evaluate on N test images spread evenly over the "
            + "test set (every size/N-th image; some test sets are stored class by class). Default: all.")
    Integer samples;

    @Option(names = "--compare-with", paramLabel = "MODEL", description = "A reference model (for example the float "
            + "model a quantized one came from), run by the same backend on the same preprocessed images: reports the "
            + "share of images on which both give the same top-1 class (agreement_top1). Labels are not needed, so an "
            + "ImageNet model can be compared on other images.")
    String compareWith;

    @Override
    public Integer call() {
        common.apply();
        Graph g = Models.load(model, 1);
        DatasetSplit split = data.load();
        dev.minnow.data.Dataset test = samples == null ? split.test() : new EvenSubset(split.test(), samples);
        int fixedBatch = g.inputs().getFirst().type().shape().rank() > 0 ? g.inputs().getFirst().type().shape().dim(0) : -1;
        if (fixedBatch > 0) {
            batchSize = fixedBatch; // the model was exported for this batch size only
        }
        Preprocessing pre = preprocess.resolve(g, split.normalization(), split.test().sampleShape().dim(2));
        if (compareWith != null) {
            return compare(g, test, pre);
        }
        try (ModelRunner executor = backendOptions.open(model, g)) {
            return evaluate(test, pre, batch -> executor.predict(pre.apply(batch)), executor.backend());
        }
    }

    private int compare(Graph g, dev.minnow.data.Dataset test, Preprocessing pre) {
        Graph ref = Models.load(compareWith, 1);
        try (ModelRunner executor = backendOptions.open(model, g);
             ModelRunner reference = backendOptions.open(compareWith, ref)) {
            Progress bar = new Progress("compare", test.size(), "img");
            Agreement a = Agreement.measure(test, batchSize, batch -> executor.predict(pre.apply(batch)),
                    batch -> reference.predict(pre.apply(batch)), bar);
            bar.finish();
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model);
            j.put("compare_with", compareWith);
            j.put("dataset", data.dataset);
            j.put("backend", executor.backend().label);
            j.put("samples", a.samples());
            j.put("agreement_top1", a.rate());
            j.put("top1", a.top1());
            j.put("top1_reference", a.top1Reference());
            j.put("preprocessing", pre.toMetadata());
            String human = new Table("model", "reference", "samples", "same top-1", "top-1", "reference top-1")
                    .row(model, compareWith, a.samples(), Table.percent(a.rate()),
                            a.top1() == null ? "-" : Table.percent(a.top1()),
                            a.top1Reference() == null ? "-" : Table.percent(a.top1Reference())).render();
            common.emit(j, human);
            return 0;
        }
    }

    private int evaluate(dev.minnow.data.Dataset test, Preprocessing pre, Model runner, Backend backend) {
        int channels = test.sampleShape().dim(0);
        Normalization identity = new Normalization(new float[channels], filled(channels, 1f));
        Progress bar = new Progress("eval", test.size(), "img");
        EvalResult r = Evaluator.of(runner).evaluate(test, identity, batchSize,
                (done, total) -> bar.update(done, null));
        bar.finish();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", data.dataset);
        j.put("backend", backend.label);
        j.put("top1", r.top1());
        j.put("top5", r.top5());
        j.put("loss", r.loss());
        j.put("samples", r.samples());
        j.put("preprocessing", pre.toMetadata());
        int emptyClasses = classesWithoutSamples(test);
        j.put("classes", test.numClasses());
        j.put("classes_without_images", emptyClasses);
        String human = new Table("model", "dataset", "samples", "top-1", "top-5", "loss")
                .row(model, data.dataset, r.samples(), Table.percent(r.top1()), Table.percent(r.top5()),
                        String.format("%.4f", r.loss())).render();
        if (emptyClasses > 0) {
            human += String.format("%d classes, %d of them without test images (their class indices are kept)%n",
                    test.numClasses(), emptyClasses);
        }
        if (confusion) {
            human += "\n" + r.confusion();
        }
        common.emit(j, human);
        return 0;
    }

    /** Classes with no sample: ImageNet-style validation subsets leave some class folders empty. */
    static int classesWithoutSamples(dev.minnow.data.Dataset d) {
        int[] perClass = new int[d.numClasses()];
        for (int i = 0; i < d.size(); i++) {
            perClass[d.label(i)]++;
        }
        return (int) java.util.Arrays.stream(perClass).filter(c -> c == 0).count();
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
