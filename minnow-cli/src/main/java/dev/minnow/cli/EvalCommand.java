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

    @Override
    public Integer call() {
        common.apply();
        Graph g = Models.load(model, 1);
        DatasetSplit split = data.load();
        int fixedBatch = g.inputs().getFirst().type().shape().rank() > 0 ? g.inputs().getFirst().type().shape().dim(0) : -1;
        if (fixedBatch > 0) {
            batchSize = fixedBatch; // the model was exported for this batch size only
        }
        Preprocessing pre = preprocess.resolve(g, split.normalization(), split.test().sampleShape().dim(2));
        try (ModelRunner executor = backendOptions.open(model, g)) {
            return evaluate(split, pre, batch -> executor.predict(pre.apply(batch)), executor.backend());
        }
    }

    private int evaluate(DatasetSplit split, Preprocessing pre, Model runner, Backend backend) {
        int channels = split.test().sampleShape().dim(0);
        Normalization identity = new Normalization(new float[channels], filled(channels, 1f));
        Progress bar = new Progress("eval", split.test().size(), "img");
        EvalResult r = Evaluator.of(runner).evaluate(split.test(), identity, batchSize,
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
        int emptyClasses = classesWithoutSamples(split.test());
        j.put("classes", split.test().numClasses());
        j.put("classes_without_images", emptyClasses);
        String human = new Table("model", "dataset", "samples", "top-1", "top-5", "loss")
                .row(model, data.dataset, r.samples(), Table.percent(r.top1()), Table.percent(r.top5()),
                        String.format("%.4f", r.loss())).render();
        if (emptyClasses > 0) {
            human += String.format("%d classes, %d of them without test images (their class indices are kept)%n",
                    split.test().numClasses(), emptyClasses);
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
