package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Post-training static quantization end to end: fold batch norm, calibrate every activation the
 * {@link QdqPlan} quantizes with the chosen observer, choose weight parameters (per-channel min-max
 * or MSE, or given ones), and rewrite the graph with {@link QdqQuantization}. A preprocessing
 * step that changes weights before calibration (cross-layer equalization, AdaRound) runs on the
 * folded graph: see {@link #quantize(Graph, Iterable, Settings, Map, java.util.function.UnaryOperator, IntConsumer)}.
 *
 * @see QdqQuantization for the layout
 */
public final class PostTrainingQuantizer {
    private PostTrainingQuantizer() {
    }

    /**
     * @param method                 activation observer: minmax, percentile, entropy or mse
     * @param weights                weight scheme (QuantScheme.weights(bits), per tensor or per channel)
     * @param activations            activation scheme for values that can be negative (unsigned affine by default);
     *                               non-negative values (after ReLU) always get an unsigned scale with zero point 0
     * @param symmetricActivations   zero point 0 everywhere: signed codes for values that can be negative
     * @param weightMethod           minmax or mse
     */
    public record Settings(String method, QuantScheme weights, QuantScheme activations, boolean symmetricActivations,
            String weightMethod) {
        public Settings {
            Observers.byName(method); // checks the name
            if (!weightMethod.equals("minmax") && !weightMethod.equals("mse")) {
                throw new InvalidInputException("weight ranges are chosen by minmax or mse, not '" + weightMethod + "'");
            }
        }

        public static Settings int8(String method) {
            return new Settings(method, QuantScheme.weights(8), QuantScheme.activations(8), false, "minmax");
        }
    }

    /** One quantized layer for the report. NaN where it does not apply (no weight). */
    public record Layer(String name, String op, int weightBits, double weightScaleMin, double weightScaleMax,
            double activationMin, double activationMax, double weightSqnrDb, double outputSqnrDb) {
    }

    /**
     * @param graph           the QDQ graph
     * @param folded          the float graph after batch-norm folding (and the preprocessing step), what was calibrated
     * @param activations     parameters per observed value
     * @param weights         parameters per weight initializer
     * @param floatNodes      "OpType 'name'" of each node left in float
     */
    public record Result(Graph graph, Graph folded, QdqPlan plan, Map<String, QuantParams> activations,
            Map<String, QuantParams> weights, List<Layer> layers, List<String> floatNodes, List<PassRecord> records,
            long sizeBytesBefore, long sizeBytesAfter) {
    }

    /** The optional steps before calibration; {@link #prepare} runs them. */
    public record Preparation(boolean cle, boolean adaround, int adaroundIterations, boolean biasCorrection, long seed,
                              Map<String, Integer> bitsByNode) {
        public static final Preparation NONE = new Preparation(false, false, 1000, false, 0);

        public Preparation {
            bitsByNode = Map.copyOf(bitsByNode);
        }

        /** Every layer at the scheme's width. */
        public Preparation(boolean cle, boolean adaround, int adaroundIterations, boolean biasCorrection, long seed) {
            this(cle, adaround, adaroundIterations, biasCorrection, seed, Map.of());
        }

        /** The same steps with per-layer weight widths (node names of the folded graph; others keep the scheme's). */
        public Preparation withBitsByNode(Map<String, Integer> bits) {
            return new Preparation(cle, adaround, adaroundIterations, biasCorrection, seed, bits);
        }

        public boolean any() {
            return cle || adaround || biasCorrection || !bitsByNode.isEmpty();
        }
    }

    /**
     * The steps before calibration, on the batch-norm-folded float graph: cross-layer equalization,
     * then AdaRound (or round-to-nearest when only bias correction asks for rounded weights), then
     * bias correction. The weights they leave on their grids come back with their parameters, to be
     * passed to {@link #quantize} as fixed weights so it keeps them exactly; with no step asked
     * for, the model comes back as it is.
     */
    public static QuantizedWeights prepare(Graph g, List<Tensor> calibration, QuantScheme weights, Preparation p) {
        if (!p.any()) {
            return new QuantizedWeights(g, Map.of());
        }
        Graph folded = new BatchNormFolding().run(g).graph();
        if (p.cle()) {
            folded = new CrossLayerEqualization().run(folded).graph();
        }
        if (!p.adaround() && !p.biasCorrection() && p.bitsByNode().isEmpty()) {
            return new QuantizedWeights(folded, Map.of());
        }
        QuantizedWeights q = p.adaround()
                ? AdaRound.run(folded, calibration, AdaRound.Settings.of(weights).withIterations(p.adaroundIterations())
                        .withBitsByNode(p.bitsByNode())).weights()
                : WeightRounding.nearest(folded, weights, p.bitsByNode());
        if (p.biasCorrection()) {
            q = BiasCorrection.correct(folded, q, calibration, AdaRound.Inputs.FLOAT, 64, p.seed()).weights();
        }
        return q;
    }

    public static Result quantize(Graph model, Iterable<Tensor> calibration, Settings s) {
        return quantize(model, calibration, s, Map.of(), g -> g, null);
    }

    /**
     * @param fixedWeights parameters of weights already on a grid, by weight name in the folded graph
     * @param preprocess   a step on the folded float graph before calibration (identity for none)
     * @param progress     samples calibrated so far (may be null)
     */
    public static Result quantize(Graph model, Iterable<Tensor> calibration, Settings s,
            Map<String, QuantParams> fixedWeights, java.util.function.UnaryOperator<Graph> preprocess, IntConsumer progress) {
        PassResult foldedRun = new BatchNormFolding().run(model);
        Graph folded = preprocess.apply(foldedRun.graph()).validate();
        QdqPlan plan = QdqPlan.of(folded);
        if (plan.quantized().isEmpty()) {
            throw new InvalidInputException("the model '" + model.name() + "' has no op with an integer path (Conv, Gemm,"
                    + " MatMul, Add, pooling, Concat) on float activations; nothing to quantize");
        }
        Supplier<Observer> byMethod = Observers.byName(s.method());
        java.util.Set<String> inputs = new java.util.HashSet<>();
        folded.inputs().forEach(v -> inputs.add(v.name()));
        // the model's input keeps its whole range: it is the preprocessed data, with no outliers to
        // clip (a normalized image's saturated pixels are a spike at the maximum that KL would cut)
        java.util.function.Function<String, Observer> factory = v -> inputs.contains(v) ? MinMaxObserver.perTensor() : byMethod.get();
        List<Tensor> kept = new ArrayList<>(1);
        Iterable<Tensor> recorded = () -> new java.util.Iterator<>() {
            final java.util.Iterator<Tensor> it = calibration.iterator();

            public boolean hasNext() {
                return it.hasNext();
            }

            public Tensor next() {
                Tensor t = it.next();
                if (kept.isEmpty()) {
                    kept.add(t); // the first batch also measures each layer's output error
                }
                return t;
            }
        };
        Map<String, Observer> observed = Calibration.run(folded, plan.observed(), factory, recorded, progress);
        Map<String, QuantParams> act = new LinkedHashMap<>();
        for (Map.Entry<String, Observer> e : observed.entrySet()) {
            act.put(e.getKey(), activationParams(e.getValue(), s));
        }
        Map<String, QuantParams> wparams = new LinkedHashMap<>();
        Map<String, Double> wsqnr = new HashMap<>();
        for (Node n : plan.quantized()) {
            if (!List.of("Conv", "Gemm", "MatMul").contains(n.opType())) {
                continue;
            }
            String w = n.input(1);
            Tensor t = folded.initializers().get(w);
            QuantParams p = fixedWeights.containsKey(w) ? fixedWeights.get(w)
                    : weightParams(t, QdqPlan.weightAxis(n), s.weights(), s.weightMethod());
            QdqQuantization.checkWeightParams(n, t, p);
            wparams.put(w, p);
            wsqnr.put(w, sqnrDb(t.floats(), p.fakeQuantize(t).floats()));
        }
        PassResult q = new QdqQuantization(act, s.weights(), wparams).run(folded);
        Graph qg = q.graph();
        qg.metadata().putAll(model.metadata());
        List<PassRecord> records = new ArrayList<>(foldedRun.records());
        records.addAll(q.records());
        Map<String, Double> outSqnr = kept.isEmpty() ? Map.of() : outputSqnr(folded, qg, plan, kept.getFirst());
        List<Layer> layers = new ArrayList<>();
        for (Node n : plan.quantized()) {
            QuantParams wp = n.inputs().size() > 1 ? wparams.get(n.input(1)) : null;
            String out = n.output(0);
            QuantParams ap = act.get(plan.source(out));
            double[] range = ap == null ? new double[] {Double.NaN, Double.NaN} : representable(ap);
            layers.add(new Layer(n.name(), n.opType(), wp == null ? 0 : wp.scheme().bits(), wp == null ? Double.NaN : min(wp.scale()),
                    wp == null ? Double.NaN : max(wp.scale()), range[0], range[1],
                    wp == null ? Double.NaN : wsqnr.get(n.input(1)), outSqnr.getOrDefault(out, Double.NaN)));
        }
        List<String> floats = plan.floatNodes().stream().map(n -> n.opType() + " '" + n.name() + "'").toList();
        return new Result(qg, folded, plan, act, wparams, layers, floats, records, sizeBytes(model, 32),
                packedSize(qg, folded, wparams, s.weights().bits()));
    }

    /** Unsigned with zero point 0 for a non-negative value; else the scheme (or signed symmetric). */
    static QuantParams activationParams(Observer o, Settings s) {
        QuantScheme unsigned = s.activations().withSigned(false).withSymmetric(false).withPerChannel(false);
        QuantParams p = o.params(unsigned);
        if (p.zeroPoint()[0] == unsigned.qmin()) {
            return p; // non-negative: [0, max] with zero point 0 (what an absorbed ReLU needs)
        }
        if (s.symmetricActivations()) {
            return o.params(s.activations().withSigned(true).withSymmetric(true).withPerChannel(false));
        }
        return o.params(s.activations().withPerChannel(false));
    }

    /** Per-channel (or per-tensor, as the scheme says) weight parameters by min-max or MSE. */
    public static QuantParams weightParams(Tensor w, int axis, QuantScheme scheme, String method) {
        if (method.equals("minmax")) {
            MinMaxObserver o = MinMaxObserver.perChannel(axis);
            o.observe(w);
            return o.params(scheme);
        }
        if (!scheme.perChannel()) {
            MseObserver o = new MseObserver();
            o.observe(w);
            return o.params(scheme);
        }
        int channels = w.shape().dim(axis);
        int inner = 1;
        for (int d = axis + 1; d < w.shape().rank(); d++) {
            inner *= w.shape().dim(d);
        }
        float[][] per = new float[channels][w.size() / channels];
        int[] fill = new int[channels];
        float[] v = w.floats();
        for (int i = 0; i < v.length; i++) {
            int c = (i / inner) % channels;
            per[c][fill[c]++] = v[i];
        }
        float[] scale = new float[channels];
        int[] zp = new int[channels];
        for (int c = 0; c < channels; c++) {
            MseObserver o = new MseObserver();
            o.observe(per[c]);
            QuantParams p = o.params(scheme.withPerChannel(false));
            scale[c] = p.scale()[0];
            zp[c] = p.zeroPoint()[0];
        }
        return new QuantParams(scheme, scale, zp, axis);
    }

    /** [lowest, highest] value the parameters represent. */
    static double[] representable(QuantParams p) {
        return new double[] {p.dequantize(p.scheme().qmin(), 0), p.dequantize(p.scheme().qmax(), 0)};
    }

    /** Signal-to-quantization-noise ratio in dB (infinite when exact). */
    public static double sqnrDb(float[] ref, float[] approx) {
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < ref.length; i++) {
            signal += (double) ref[i] * ref[i];
            double d = (double) ref[i] - approx[i];
            noise += d * d;
        }
        return noise == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(signal / noise);
    }

    /**
     * Each quantized node's output in the QDQ graph (computed from dequantized inputs and weights,
     * before its own output rounding) against the float graph's, on one batch: the error that has
     * accumulated up to that layer.
     */
    private static Map<String, Double> outputSqnr(Graph folded, Graph quantized, QdqPlan plan, Tensor batch) {
        Map<String, float[]> ref = new HashMap<>();
        Map<String, Double> r = new HashMap<>();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        plan.quantized().forEach(n -> wanted.add(n.output(0)));
        InferenceExecutor.of(folded, ExecutionOptions.builder().observer((name, node, t) -> {
            if (wanted.contains(name)) {
                ref.put(name, t.floats().clone());
            }
        }).build()).run(Map.of(folded.inputs().getFirst().name(), batch));
        InferenceExecutor.of(quantized, ExecutionOptions.builder().observer((name, node, t) -> {
            float[] f = ref.get(name);
            if (f != null && t.dtype() == DType.FLOAT32 && t.size() == f.length) {
                r.put(name, sqnrDb(f, t.floats()));
            }
        }).build()).run(Map.of(quantized.inputs().getFirst().name(), batch));
        return r;
    }

    /**
     * Bytes of all initializers; integer weight codes (those a DequantizeLinear feeds into a
     * Conv, Gemm or MatMul weight slot) count packed at weightBits.
     */
    public static long sizeBytes(Graph g, int weightBits) {
        java.util.Set<String> codes = new java.util.HashSet<>();
        for (Node n : g.nodes()) {
            if (List.of("Conv", "Gemm", "MatMul").contains(n.opType()) && n.inputs().size() > 1) {
                Node dq = g.producer(n.input(1));
                if (dq != null && dq.opType().equals("DequantizeLinear")) {
                    codes.add(dq.input(0));
                }
            }
        }
        long bytes = 0;
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            Tensor t = e.getValue();
            bytes += codes.contains(e.getKey()) ? ((long) t.size() * weightBits + 7) / 8 : (long) t.size() * t.dtype().bytes;
        }
        return bytes;
    }

    /**
     * {@link #sizeBytes} at the scheme's width, less what weights at fewer bits than it save packed
     * (mixed precision: each weight's own width from its parameters).
     */
    static long packedSize(Graph quantized, Graph folded, Map<String, QuantParams> wparams, int schemeBits) {
        long bytes = sizeBytes(quantized, schemeBits);
        for (Map.Entry<String, QuantParams> e : wparams.entrySet()) {
            int bits = e.getValue().scheme().bits();
            Tensor w = folded.initializers().get(e.getKey());
            if (bits != schemeBits && w != null) {
                bytes -= ((long) w.size() * schemeBits + 7) / 8 - ((long) w.size() * bits + 7) / 8;
            }
        }
        return bytes;
    }

    private static double min(float[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (float x : a) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double max(float[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : a) {
            m = Math.max(m, x);
        }
        return m;
    }
}
