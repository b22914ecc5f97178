package dev.minnow.compress.quant.qat;

import dev.minnow.compress.quant.MinMaxObserver;
import dev.minnow.compress.quant.QuantParams;
import dev.minnow.compress.quant.QuantScheme;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prepares a float graph for quantization-aware training: every Conv, Gemm and MatMul with a
 * constant weight gets a weight quantizer (FakeQuantize per output channel, signed symmetric
 * narrow range; or LowBitWeight for binary, ternary and DoReFa weights) and a FakeQuantize on its
 * input activation (per tensor, unsigned affine: after a ReLU the zero point is 0). Ranges start
 * from calibration batches ({@link MinMaxObserver}).
 *
 * <p>Batch norm is folded into the convolutions first ({@link BatchNormFolding}), so training sees
 * and quantizes exactly the weights that are exported: no float BN is left to drift apart from
 * the integer model (the "folding loses accuracy" complaint). The price is training without batch
 * statistics, which suits fine-tuning a trained model at a small learning rate.
 *
 * <p>PACT replaces each ReLU that feeds a quantized input by Clip(x, 0, alpha) with alpha a
 * learnable initializer (Clip passes its gradient), and the activation's step is computed in
 * the graph as alpha / qmax. DoReFa clips those ReLUs to [0, 1] with step 1 / qmax.
 */
public final class QatPrepare implements GraphPass {
    /** What calibration found for one activation value. */
    public record Calibration(float min, float max, long featuresPerSample) {
    }

    /** The prepared graph and the initializers that train besides the weights. */
    public record Result(Graph graph, List<String> learnable, PassRecord record) {
    }

    /** Suffix of PACT's clip initializers. */
    public static final String PACT_ALPHA = ".pact_alpha";

    private final QatConfig config;
    private final Map<String, Calibration> ranges;

    public QatPrepare(QatConfig config, Map<String, Calibration> ranges) {
        this.config = config;
        this.ranges = Map.copyOf(ranges);
    }

    @Override
    public String name() {
        return "qat-prepare";
    }

    /**
     * Folds batch norm into a copy of g, calibrates activation ranges on the batches (NCHW,
     * already normalized) and inserts the quantizers.
     */
    public static Result prepare(Graph g, QatConfig config, List<Tensor> calibrationBatches) {
        if (calibrationBatches.isEmpty()) {
            throw new InvalidInputException("QAT needs at least one calibration batch to initialize activation ranges");
        }
        Graph folded = g.copy();
        BatchNormFolding.fold(folded);
        Map<String, Calibration> ranges = calibrate(folded, calibrationBatches);
        GraphEditor e = new GraphEditor(folded);
        PassRecord rec = new QatPrepare(config, ranges).apply(e);
        Graph q = e.commit();
        return new Result(q, learnable(q), rec);
    }

    /** The Conv / Gemm / MatMul nodes whose input 1 is a float32 initializer. */
    static List<Node> weightedLayers(Graph g) {
        List<Node> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            String op = n.opType();
            if ((op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul")) && n.inputs().size() > 1) {
                Tensor w = g.initializers().get(n.input(1));
                if (w != null && w.dtype() == DType.FLOAT32 && w.shape().rank() >= 2) {
                    r.add(n);
                }
            }
        }
        return r;
    }

    /** The output-channel axis of a layer's weight. */
    static int weightAxis(Node n) {
        return switch (n.opType()) {
            case "Conv" -> 0;
            case "Gemm" -> n.attributes().getInt("transB", 0) == 1 ? 0 : 1;
            default -> 1; // MatMul: [in, out]
        };
    }

    /** Min, max and per-sample size of each quantized layer input over the batches. */
    static Map<String, Calibration> calibrate(Graph g, List<Tensor> batches) {
        Set<String> wanted = new LinkedHashSet<>();
        weightedLayers(g).forEach(n -> wanted.add(n.input(0)));
        if (wanted.isEmpty()) {
            throw new InvalidInputException("model '" + g.name() + "' has no Conv, Gemm or MatMul with a constant weight;"
                    + " there is nothing to quantize");
        }
        Map<String, MinMaxObserver> obs = new LinkedHashMap<>();
        Map<String, Long> features = new LinkedHashMap<>();
        wanted.forEach(v -> obs.put(v, MinMaxObserver.perTensor()));
        var ex = InferenceExecutor.of(g, ExecutionOptions.builder().observer((name, node, t) -> {
            if (obs.containsKey(name)) {
                obs.get(name).observe(t);
                features.put(name, t.size() / (long) Math.max(1, t.shape().dim(0)));
            }
        }).build());
        String input = g.inputs().get(0).name();
        for (Tensor b : batches) {
            if (obs.containsKey(input)) {
                obs.get(input).observe(b);
                features.put(input, b.size() / (long) b.shape().dim(0));
            }
            ex.run(b);
        }
        Map<String, Calibration> r = new LinkedHashMap<>();
        for (var en : obs.entrySet()) {
            if (en.getValue().isEmpty()) {
                throw new InvalidInputException("calibration saw no values for '" + en.getKey() + "'");
            }
            r.put(en.getKey(), new Calibration(en.getValue().min()[0], en.getValue().max()[0], features.get(en.getKey())));
        }
        return r;
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder rec = PassRecord.of(name()).setting("config", config.describe());
        Graph g = e.graph();
        List<Node> layers = weightedLayers(g);
        Set<String> activations = new LinkedHashSet<>();
        for (Node n : layers) {
            quantizeWeight(e, n);
            rec.count("weights", 1).change(n.name() + ": " + n.input(1));
            activations.add(n.input(0));
        }
        Map<Node, String> clipped = new java.util.IdentityHashMap<>();
        for (String v : activations) {
            Calibration c = ranges.get(v);
            if (c == null) {
                throw new InvalidInputException("no calibrated range for activation '" + v + "'");
            }
            quantizeActivation(e, v, c, clipped);
            rec.count("activations", 1);
        }
        return rec.build();
    }

    private void quantizeWeight(GraphEditor e, Node layer) {
        String w = layer.input(1);
        Tensor wt = e.initializer(w);
        int axis = weightAxis(layer);
        String base = layer.name() + ".wq";
        if (config.weights() != QatConfig.WeightMode.UNIFORM || config.method() == QatConfig.Method.DOREFA) {
            if (config.weights() != QatConfig.WeightMode.UNIFORM && axis != 0) {
                // LowBitWeight scales along axis 0: give MatMul / Gemm(transB=0) weights their own layout first
                throw new InvalidInputException("binary and ternary weights need the output channel on axis 0; layer '"
                        + layer.name() + "' (" + layer.opType() + ") has it on axis " + axis);
            }
            String mode = switch (config.weights()) {
                case BINARY -> "binary";
                case TERNARY -> "ternary";
                case UNIFORM -> "dorefa";
            };
            e.insertAfter(w, base, op("LowBitWeight", "mode", mode, "bits", (long) config.weightBits()));
            return;
        }
        QuantScheme s = QuantScheme.weights(config.weightBits());
        MinMaxObserver o = MinMaxObserver.perChannel(axis);
        o.observe(wt);
        QuantParams p = o.params(s);
        String scale = e.addInitializer(layer.name() + ".w_scale", p.scaleTensor());
        long perChannel = wt.size() / wt.shape().dim(axis);
        double grad = config.method() == QatConfig.Method.LSQ ? 1 / Math.sqrt((double) perChannel * s.qmax()) : 0;
        e.insertAfter(w, base, op("FakeQuantize", "qmin", (long) s.qmin(), "qmax", (long) s.qmax(), "axis", (long) axis,
                "lsq_grad_scale", grad), scale);
    }

    private void quantizeActivation(GraphEditor e, String v, Calibration c, Map<Node, String> clipped) {
        QuantScheme s = QuantScheme.activations(config.actBits());
        String base = v + ".aq";
        Node relu = reluBehind(e, v);
        boolean clip = relu != null && (config.method() == QatConfig.Method.PACT || config.method() == QatConfig.Method.DOREFA);
        if (clip) {
            String step = clipped.get(relu);
            if (step == null) {
                step = clipRelu(e, relu, c, s);
                clipped.put(relu, step);
            }
            String zp = e.addInitializer(base + "_zero_point", Tensor.zeros(DType.UINT8, Shape.scalar()));
            e.insertAfter(v, base, op("FakeQuantize", "qmin", (long) s.qmin(), "qmax", (long) s.qmax()), step, zp);
            return;
        }
        QuantParams p = QuantParams.perTensor(s, c.min(), c.max());
        String scale = e.addInitializer(base + "_scale", p.scaleTensor());
        String zp = e.addInitializer(base + "_zero_point", p.zeroPointTensor());
        double grad = config.method() == QatConfig.Method.LSQ ? 1 / Math.sqrt((double) c.featuresPerSample() * s.qmax()) : 0;
        e.insertAfter(v, base, op("FakeQuantize", "qmin", (long) s.qmin(), "qmax", (long) s.qmax(), "lsq_grad_scale", grad),
                scale, zp);
    }

    /**
     * Replaces relu by Clip(x, 0, alpha) and returns the name of the activation step: for PACT
     * a Div node's output alpha / qmax (alpha learnable, starting at the calibrated maximum), for
     * DoReFa the constant 1 / qmax.
     */
    private String clipRelu(GraphEditor e, Node relu, Calibration c, QuantScheme s) {
        boolean pact = config.method() == QatConfig.Method.PACT;
        String lo = e.addInitializer(relu.name() + ".clip_min", Tensor.scalar(0f));
        float top = pact ? Math.max(c.max(), 1e-3f) : 1f;
        String hi = e.addInitializer(relu.name() + (pact ? PACT_ALPHA : ".clip_max"), Tensor.scalar(top));
        e.replaceNode(relu, new Node(relu.name(), OpRegistry.global().create("Clip", new Attributes()),
                List.of(relu.input(0), lo, hi), relu.outputs()));
        String qmax = e.addInitializer(relu.name() + ".qmax", Tensor.scalar((float) s.qmax()));
        if (!pact) {
            return e.addInitializer(relu.name() + ".act_scale", Tensor.scalar(1f / s.qmax()));
        }
        Node div = e.addNode(relu.name() + ".act_scale", OpRegistry.global().create("Div", new Attributes()),
                List.of(hi, qmax), 1);
        return div.output(0);
    }

    /** The ReLU whose output reaches v unchanged in sign (through pooling, flatten, reshape), or null. */
    static Node reluBehind(GraphEditor e, String v) {
        Node p = e.producer(v);
        while (p != null) {
            switch (p.opType()) {
                case "Relu":
                    return p;
                case "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape":
                    p = e.producer(p.input(0));
                    break;
                default:
                    return null;
            }
        }
        return null;
    }

    /** Initializers that train besides the weights: LSQ steps and PACT clip values. */
    public static List<String> learnable(Graph g) {
        List<String> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.opType().equals("FakeQuantize") && n.attributes().getFloat("lsq_grad_scale", 0) > 0
                    && g.initializers().containsKey(n.input(1))) {
                r.add(n.input(1));
            }
            if (n.opType().equals("Clip") && n.inputs().size() > 2 && n.input(2).endsWith(PACT_ALPHA)
                    && g.initializers().containsKey(n.input(2))) {
                r.add(n.input(2));
            }
        }
        return r;
    }

    private static Op op(String type, Object... kv) {
        return OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, type, Attributes.of(kv));
    }
}
