package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a float graph (batch norm folded) into an ONNX QDQ graph laid out as {@link QdqPlan}
 * says: weights as int8 initializers read through DequantizeLinear (per channel on the output
 * axis), biases as int32 initializers with scale x_scale * w_scale[c] and zero point 0 (what
 * ONNX Runtime's QLinearConv adds as it is), and each quantized activation as one
 * QuantizeLinear followed by a DequantizeLinear per reader.
 *
 * <p>Activation parameters are given per observed value (see {@link QdqPlan#observed}); weight
 * parameters may be given per weight initializer name (AdaRound's weights already on their grid,
 * or another observer's choice), else they are per-channel min-max under the weight scheme.
 */
public final class QdqQuantization implements GraphPass {
    private final Map<String, QuantParams> activations;
    private final Map<String, QuantParams> weights;
    private final QuantScheme weightScheme;

    /**
     * @param activations  parameters per observed activation value (per tensor)
     * @param weightScheme the scheme for weights without given parameters
     * @param weights      fixed parameters by weight initializer name (may be empty)
     */
    public QdqQuantization(Map<String, QuantParams> activations, QuantScheme weightScheme, Map<String, QuantParams> weights) {
        this.activations = Map.copyOf(activations);
        this.weightScheme = weightScheme;
        this.weights = Map.copyOf(weights);
    }

    @Override
    public String name() {
        return "qdq-quantize";
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        Graph g = e.graph();
        QdqPlan plan = QdqPlan.of(g);
        if (plan.quantized().stream().noneMatch(n -> QdqPlan.computeInputs(g, n) != null)) {
            throw new InvalidInputException("the model '" + g.name() + "' has no op with an integer path (Conv, Gemm, "
                    + "MatMul, Add, pooling, Concat) on float activations; nothing to quantize");
        }
        Map<String, QuantParams> actParams = new HashMap<>();
        for (String v : plan.quantizedValues()) {
            String src = plan.source(v);
            QuantParams p = activations.get(src);
            if (p == null) {
                throw new InvalidInputException("no calibrated range for activation '" + src + "'; calibrate every value"
                        + " QdqPlan.observed lists");
            }
            if (p.isPerChannel()) {
                throw new InvalidInputException("activation '" + src + "' has per-channel parameters; ONNX Runtime's "
                        + "integer kernels take one scale per activation tensor");
            }
            actParams.put(v, p);
        }
        for (Map.Entry<String, Node> a : plan.absorbed().entrySet()) {
            QuantParams p = actParams.get(a.getKey());
            actParams.put(a.getValue().output(0), p); // readers of the dropped activation read the op's output
            if (p.zeroPoint()[0] != p.scheme().qmin()) {
                throw new InvalidInputException("the " + a.getValue().opType() + " '" + a.getValue().name() + "' is absorbed"
                        + " into the quantization of its input, which needs the zero point at the lowest code ("
                        + p.scheme().qmin() + "), got " + p.zeroPoint()[0] + "; quantize non-negative activations unsigned");
            }
        }
        PassRecord.Builder r = PassRecord.of(name()).setting("weights", weightScheme.toString());
        // 1. weights and biases (while the activation names are still the float graph's)
        Map<String, String> dequantizedWeight = new HashMap<>();
        for (Node n : plan.quantized()) {
            if (!List.of("Conv", "Gemm", "MatMul").contains(n.opType())) {
                continue;
            }
            String w = n.input(1);
            QuantParams wp = weightParams(e, n);
            String wdq = dequantizedWeight.computeIfAbsent(w + "|" + QdqPlan.weightAxis(n), k -> {
                r.count("weights", 1);
                return dequantize(e, w, wp.quantize(e.initializer(w)), wp);
            });
            List<String> in = new ArrayList<>(n.inputs());
            in.set(1, wdq);
            if (in.size() > 2 && !in.get(2).isEmpty()) {
                in.set(2, bias(e, in.get(2), actParams.get(n.input(0)), wp));
                r.count("biases", 1);
            }
            e.replaceNode(n, n.withInputs(in));
        }
        // 2. absorbed activations: their readers read the op's output, which is quantized to [0, max]
        for (Map.Entry<String, Node> a : plan.absorbed().entrySet()) {
            e.bypass(a.getValue(), 0, a.getKey());
            r.count("activations_absorbed", 1).change(a.getValue().opType() + " '" + a.getValue().name()
                    + "' absorbed into the quantization of " + a.getKey());
        }
        // 3. one QuantizeLinear per quantized activation, a DequantizeLinear per reader
        for (String v : plan.quantizedValues()) {
            quantizeActivation(e, v, actParams.get(v));
            r.count("activations", 1);
        }
        r.count("quantized_nodes", plan.quantized().size()).count("float_nodes", plan.floatNodes().size());
        for (Node n : plan.floatNodes()) {
            r.change("left in float: " + n.opType() + " '" + n.name() + "' (no integer path)");
        }
        e.removeUnusedInitializers();
        return r.build();
    }

    private QuantParams weightParams(GraphEditor e, Node n) {
        String w = n.input(1);
        Tensor t = e.initializer(w);
        int axis = QdqPlan.weightAxis(n);
        QuantParams given = weights.get(w);
        if (given != null) {
            checkWeightParams(n, t, given);
            return given;
        }
        MinMaxObserver o = MinMaxObserver.perChannel(axis);
        o.observe(t);
        return o.params(weightScheme);
    }

    /** Given weight parameters must be per tensor or per channel on the node's output-channel axis. */
    static void checkWeightParams(Node n, Tensor w, QuantParams given) {
        int axis = QdqPlan.weightAxis(n);
        if (given.isPerChannel() && (given.axis() != axis || given.channels() != w.shape().dim(axis))) {
            throw new InvalidInputException("the given parameters of weight '" + n.input(1) + "' are for "
                    + given.channels() + " channels on axis " + given.axis() + ", but " + n.opType() + " '" + n.name()
                    + "' needs " + w.shape().dim(axis) + " on axis " + QdqPlan.weightAxis(n));
        }
    }

    /** Adds the integer initializer and its DequantizeLinear; returns the dequantized value's name. */
    private static String dequantize(GraphEditor e, String base, Tensor codes, QuantParams p) {
        String q = e.addInitializer(base + "_quantized", codes);
        String s = e.addInitializer(base + "_scale", p.scaleTensor());
        String z = e.addInitializer(base + "_zero_point", zeroPoint(p, codes.dtype()));
        Attributes attrs = p.isPerChannel() ? Attributes.of("axis", (long) p.axis()) : new Attributes();
        Node dq = e.addNode(base + "_DequantizeLinear", OpRegistry.global().create("DequantizeLinear", attrs),
                List.of(q, s, z), 1);
        return dq.output(0);
    }

    private static Tensor zeroPoint(QuantParams p, DType type) {
        if (type != DType.INT32) {
            return p.zeroPointTensor();
        }
        Shape s = p.isPerChannel() ? Shape.of(p.channels()) : Shape.scalar();
        return Tensor.zeros(DType.INT32, s);
    }

    /** The bias as int32 codes with scale x_scale * w_scale[c] and zero point 0. */
    private static String bias(GraphEditor e, String b, QuantParams x, QuantParams w) {
        Tensor t = e.initializer(b);
        int n = t.size();
        float[] scale = new float[w.channels()];
        for (int c = 0; c < scale.length; c++) {
            scale[c] = x.scale()[0] * w.scale()[c];
        }
        if (w.isPerChannel() && n != scale.length) {
            throw new InvalidInputException("bias '" + b + "' has " + n + " values for " + scale.length + " channels");
        }
        int[] codes = new int[n];
        float[] v = t.floats();
        for (int i = 0; i < n; i++) {
            float s = scale[w.isPerChannel() ? i : 0];
            double q = Math.rint(v[i] / s);
            codes[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, q));
        }
        QuantScheme int32 = new QuantScheme(16, true, true, w.isPerChannel(), false, false); // only carries the shape
        QuantParams bp = new QuantParams(int32, scale, new int[scale.length], w.isPerChannel() ? 0 : -1);
        return dequantize(e, b, Tensor.wrap(DType.INT32, t.shape(), codes), bp);
    }

    private static void quantizeActivation(GraphEditor e, String v, QuantParams p) {
        String s = e.addInitializer(v + "_scale", p.scaleTensor());
        String z = e.addInitializer(v + "_zero_point", p.zeroPointTensor());
        List<Node> readers = List.copyOf(e.readers(v));
        Node q = e.addNode(v + "_QuantizeLinear", OpRegistry.global().create("QuantizeLinear", new Attributes()),
                List.of(v, s, z), 1);
        int k = 0;
        for (Node reader : readers) {
            String suffix = readers.size() == 1 ? "" : "_" + (++k);
            Node dq = e.addNode(v + "_DequantizeLinear" + suffix,
                    OpRegistry.global().create("DequantizeLinear", new Attributes()), List.of(q.output(0), s, z), 1);
            List<String> in = new ArrayList<>(reader.inputs());
            in.replaceAll(x -> x.equals(v) ? dq.output(0) : x);
            Node current = e.graph().nodes().stream().filter(m -> m.name().equals(reader.name())).findFirst().orElseThrow();
            e.replaceNode(current, current.withInputs(in));
        }
    }
}
