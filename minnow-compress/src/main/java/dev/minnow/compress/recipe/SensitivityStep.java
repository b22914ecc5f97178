package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.ChannelPruner;
import dev.minnow.compress.prune.Sensitivity;
import dev.minnow.data.Dataset;
import dev.minnow.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sensitivity: each layer pruned alone at each sparsity, accuracy measured on a strided subset of
 * the test set (archives can be ordered by class). The model is not changed; the curves go into
 * the step's record under "curves" and into the report.
 */
final class SensitivityStep implements Step {
    static final List<Double> DEFAULT_SPARSITIES = List.of(0.25, 0.5, 0.75, 0.9);
    static final int DEFAULT_SAMPLES = 1000;

    @Override
    public StepOutput run(StepSpec spec, ModelState in, StepContext ctx) {
        double[] sparsities = spec.numbers("sparsities", DEFAULT_SPARSITIES).stream().mapToDouble(Double::doubleValue)
                .toArray();
        boolean channel = spec.text("granularity", "weight").equals("channel");
        Dataset subset = strided(ctx.split().test(), spec.integer("samples", DEFAULT_SAMPLES));
        var layers = channel ? Sensitivity.channelLayers(in.graph(), ChannelPruner.importance("l1"))
                : Sensitivity.weightLayers(in.graph());
        List<Sensitivity.Curve> curves = Sensitivity.sweep(in.graph(), layers, sparsities,
                g -> ModelMeasures.top1(g, subset, ctx.split().normalization()));
        Map<String, Object> byLayer = new LinkedHashMap<>();
        for (Sensitivity.Curve c : curves) {
            List<Object> points = new ArrayList<>();
            for (int i = 0; i < c.sparsities().length; i++) {
                points.add(List.of(c.sparsities()[i], c.accuracies()[i]));
            }
            byLayer.put(c.layer(), points);
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("granularity", channel ? "channel" : "weight");
        d.put("samples", subset.size());
        d.put("curves", byLayer);
        return StepOutput.of(in, d);
    }

    /** Every k-th sample so that about n are kept, all classes included. */
    static Dataset strided(Dataset d, int n) {
        if (n >= d.size()) {
            return d;
        }
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
        };
    }
}
