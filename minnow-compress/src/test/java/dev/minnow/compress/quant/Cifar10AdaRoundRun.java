package dev.minnow.compress.quant;

import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Normalization;
import dev.minnow.data.Preprocessing;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The documented ResNet-20 measurement (docs/QUANTIZATION.md): float, round-to-nearest and
 * AdaRound weights (per channel), activations float or min-max uint8 fake-quantized at every
 * Conv/Gemm input. Not a test: a main run by hand with the test classpath.
 * Arguments: MODEL CALIB_IMAGES TEST_IMAGES WEIGHT_BITS ACT_BITS(0 = float) ITERATIONS INPUTS(float|quantized) SEED
 */
public final class Cifar10AdaRoundRun {
    public static void main(String[] a) throws Exception {
        Graph g = Onnx.read(Path.of(a[0]));
        int calibImages = Integer.parseInt(a[1]);
        int testImages = Integer.parseInt(a[2]);
        int wbits = Integer.parseInt(a[3]);
        int abits = Integer.parseInt(a[4]);
        int iterations = Integer.parseInt(a[5]);
        AdaRound.Inputs inputs = AdaRound.Inputs.valueOf(a[6].toUpperCase());
        long seed = Long.parseLong(a[7]);
        DatasetSplit split = Datasets.load("cifar10", Datasets.resolveDataDir(null));
        Preprocessing pre = Preprocessing.fromMetadata(g.metadata());
        if (pre == null) {
            pre = Preprocessing.of(split.normalization());
        }
        List<Tensor> calib = calibration(split.train(), calibImages, 32, seed, pre);
        Dataset test = first(split.test(), testImages);
        long t0 = System.nanoTime();
        QuantScheme ws = QuantScheme.weights(wbits);
        QuantizedWeights rtn = WeightRounding.nearest(g, ws);
        AdaRound.Result ada = AdaRound.run(g, calib,
                AdaRound.Settings.of(ws).withIterations(iterations).withInputs(inputs));
        double secs = (System.nanoTime() - t0) / 1e9;
        for (AdaRound.LayerReport r : ada.layers()) {
            System.out.printf("%-28s mse nearest %.3e adaround %.3e changed %.1f%%%n", r.node(), r.mseNearest(),
                    r.mseAdaRound(), 100 * r.changedFraction());
        }
        System.out.printf("adaround %.1f s%n", secs);
        System.out.printf("float     top1 %.4f%n", top1(g, test, pre));
        System.out.printf("W%dA32 nearest  top1 %.4f%n", wbits, top1(rtn.graph(), test, pre));
        System.out.printf("W%dA32 adaround top1 %.4f%n", wbits, top1(ada.graph(), test, pre));
        if (abits > 0) {
            System.out.printf("W32A%d          top1 %.4f%n", abits, top1(withActivations(g, calib, abits), test, pre));
            System.out.printf("W%dA%d nearest  top1 %.4f%n", wbits, abits,
                    top1(withActivations(rtn.graph(), calib, abits), test, pre));
            System.out.printf("W%dA%d adaround top1 %.4f%n", wbits, abits,
                    top1(withActivations(ada.graph(), calib, abits), test, pre));
        }
    }

    static List<Tensor> calibration(Dataset train, int images, int batch, long seed, Preprocessing pre) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            idx.add(i);
        }
        java.util.Collections.shuffle(idx, new Random(seed));
        int n = (int) train.sampleShape().size();
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < images; s += batch) {
            int b = Math.min(batch, images - s);
            float[] v = new float[b * n];
            for (int i = 0; i < b; i++) {
                train.copySample(idx.get(s + i), v, i * n);
            }
            int[] d = train.sampleShape().dims();
            out.add(pre.apply(Tensor.of(Shape.of(b, d[0], d[1], d[2]), v)));
        }
        return out;
    }

    /** Every (size / n)-th image: the JPEG test set is ordered by class, so its first images are two classes. */
    static Dataset first(Dataset d, int n) {
        int stride = Math.max(1, d.size() / n);
        return new Dataset() {
            public int size() {
                return Math.min(n, d.size() / stride);
            }

            public Shape sampleShape() {
                return d.sampleShape();
            }

            public int numClasses() {
                return d.numClasses();
            }

            public void copySample(int index, float[] dst, int off) {
                d.copySample(index * stride, dst, off);
            }

            public int label(int index) {
                return d.label(index * stride);
            }
        };
    }

    static double top1(Graph g, Dataset test, Preprocessing pre) {
        InferenceExecutor x = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        int c = test.sampleShape().dim(0);
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        return Evaluator.of(batch -> x.run(pre.apply(batch))).evaluate(test, new Normalization(new float[c], ones), 250,
                null).top1();
    }

    /** Min-max uint8 (affine, per tensor) fake quantization of every Conv/Gemm input, calibrated on calib. */
    static Graph withActivations(Graph g, List<Tensor> calib, int bits) {
        Graph q = g.copy().validate();
        Set<String> values = new LinkedHashSet<>();
        for (Node n : q.nodes()) {
            if (n.opType().equals("Conv") || n.opType().equals("Gemm")) {
                values.add(n.input(0));
            }
        }
        Map<String, MinMaxObserver> obs = new LinkedHashMap<>();
        values.forEach(v -> obs.put(v, MinMaxObserver.perTensor()));
        String input = q.inputs().getFirst().name();
        InferenceExecutor x = InferenceExecutor.of(q, ExecutionOptions.builder().observer((v, p, t) -> {
            if (obs.containsKey(v)) {
                obs.get(v).observe(t);
            }
        }).build());
        for (Tensor b : calib) {
            if (obs.containsKey(input)) {
                obs.get(input).observe(b);
            }
            x.run(b);
        }
        GraphEditor e = new GraphEditor(q);
        QuantScheme s = QuantScheme.activations(bits);
        for (String v : values) {
            QuantParams p = obs.get(v).params(s);
            String scale = e.addInitializer(v + "_scale", Tensor.scalar(p.scale()[0]));
            String zp = e.addInitializer(v + "_zp", Tensor.scalar(p.zeroPoint()[0]));
            e.insertAfter(v, v + "_fq", OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize",
                    Attributes.of("qmin", (long) s.qmin(), "qmax", (long) s.qmax())), scale, zp);
        }
        return e.commit();
    }
}
