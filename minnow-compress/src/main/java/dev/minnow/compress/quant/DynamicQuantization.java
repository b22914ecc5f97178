package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic quantization in ONNX Runtime's QOperator form: weights of MatMul, Gemm and Conv are
 * stored as integers once (per output channel by default), activations are quantized per input
 * at run time, with no calibration:
 *
 * <pre>
 *   x -> DynamicQuantizeLinear -> (x_q uint8, x_scale, x_zero_point)
 *   MatMulInteger(x_q, W_q, x_zero_point, W_zero_point) | ConvInteger(...)   -> int32
 *   Cast(float) * (x_scale * W_scale) [+ bias]                               -> y (the old name)
 * </pre>
 *
 * ONNX Runtime fuses the MatMul chain into its DynamicQuantizeMatMul kernel. Weights use a signed
 * scheme of at most 8 bits; Conv needs symmetric or per-tensor weights (ConvInteger in ONNX
 * Runtime takes one weight zero point, and uint8 weights: int8 codes are stored 128 higher). A node whose weight is not a
 * constant, a Gemm with transA or a non-constant bias scaled by beta, stays in float and is listed.
 *
 * <p>Record: counts "quantized" and "kept_float", a change line per node.
 */
public final class DynamicQuantization implements GraphPass {
    private final QuantScheme weights;

    /** weights: the weight scheme, e.g. {@code QuantScheme.weights(8)} (int8, symmetric, per channel). */
    public DynamicQuantization(QuantScheme weights) {
        if (weights.bits() > 8 || !weights.signed()) {
            throw new InvalidInputException("dynamic quantization stores weights as int8 (MatMulInteger/ConvInteger "
                    + "take 8-bit codes); got " + weights.bits() + "-bit " + (weights.signed() ? "signed" : "unsigned")
                    + " weights");
        }
        this.weights = weights;
    }

    @Override
    public String name() {
        return "dynamic-quantization";
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder r = PassRecord.of(name()).setting("weight_bits", weights.bits())
                .setting("per_channel", weights.perChannel()).count("quantized", 0).count("kept_float", 0);
        Map<String, String[]> quantizedInputs = new HashMap<>(); // one DynamicQuantizeLinear per activation
        for (Node n : List.copyOf(e.graph().nodes())) {
            if (!n.domain().isEmpty() || !List.of("MatMul", "Gemm", "Conv").contains(n.opType())) {
                continue;
            }
            String why = reasonToKeep(e, n);
            if (why != null) {
                r.count("kept_float", 1).change(n.name() + " (" + n.opType() + ") kept in float: " + why);
                continue;
            }
            String[] xq = quantizedInputs.computeIfAbsent(n.input(0), x -> quantizeInput(e, x));
            if (n.opType().equals("Conv")) {
                rewriteConv(e, n, xq);
            } else {
                rewriteMatMul(e, n, xq);
            }
            r.count("quantized", 1).change(n.name() + " (" + n.opType() + ") -> "
                    + (n.opType().equals("Conv") ? "ConvInteger" : "MatMulInteger"));
        }
        e.removeUnusedInitializers();
        return r.build();
    }

    private String reasonToKeep(GraphEditor e, Node n) {
        Tensor w = n.inputs().size() > 1 ? e.initializer(n.input(1)) : null;
        if (w == null) {
            return "its weight is not a constant";
        }
        if (w.dtype() != DType.FLOAT32) {
            return "its weight is " + w.dtype().label + ", not float32";
        }
        if (e.type(n.input(0)).dtype() != DType.FLOAT32) {
            return "its input is not float32";
        }
        switch (n.opType()) {
            case "MatMul" -> {
                if (w.shape().rank() != 2) {
                    return "its weight has rank " + w.shape().rank() + ", not 2";
                }
            }
            case "Gemm" -> {
                if (n.attributes().getInt("transA", 0) != 0) {
                    return "transA is set";
                }
                boolean constantBias = n.inputs().size() < 3 || n.input(2).isEmpty() || e.initializer(n.input(2)) != null;
                if (!constantBias && n.attributes().getFloat("beta", 1) != 1) {
                    return "its bias is computed and scaled by beta";
                }
            }
            default -> {
                if (n.inputs().size() > 2 && !n.input(2).isEmpty() && e.initializer(n.input(2)) == null) {
                    return "its bias is computed";
                }
                if (!weights.symmetric() && weights.perChannel()) {
                    return "ConvInteger takes one weight zero point; use symmetric or per-tensor weights";
                }
            }
        }
        return null;
    }

    /** Adds DynamicQuantizeLinear(x); returns {x_q, x_scale, x_zero_point}. */
    private static String[] quantizeInput(GraphEditor e, String x) {
        Node q = e.addNode(x + "_dynamic_quant", op("DynamicQuantizeLinear", Attributes.of()), List.of(x), 3);
        return q.outputs().toArray(String[]::new);
    }

    /** MatMul (weight [K, N]) or Gemm (weight [K, N], or [N, K] with transB; alpha, beta, bias C). */
    private void rewriteMatMul(GraphEditor e, Node n, String[] xq) {
        Tensor w = e.initializer(n.input(1));
        boolean gemm = n.opType().equals("Gemm");
        if (gemm && n.attributes().getInt("transB", 0) != 0) {
            w = transpose(w);
        }
        QuantParams p = weightParams(w, 1);
        float alpha = gemm ? (float) n.attributes().getFloat("alpha", 1) : 1f;
        String product = integerThenScale(e, n, "MatMulInteger", Attributes.of(), xq, w, p, Shape.of(p.channels()), alpha);
        String bias = gemm && n.inputs().size() > 2 && !n.input(2).isEmpty() ? n.input(2) : null;
        if (bias != null && e.initializer(bias) != null) {
            float beta = (float) n.attributes().getFloat("beta", 1);
            Tensor c = e.initializer(bias);
            bias = e.addInitializer(n.name() + "_bias", scaled(c.dtype() == DType.FLOAT32 ? c : c.cast(DType.FLOAT32), beta));
        }
        finish(e, n, product, bias);
    }

    /** Conv: weight [M, C/group, kh, kw], per output channel on axis 0; scales and bias as [M, 1, 1]. */
    private void rewriteConv(GraphEditor e, Node n, String[] xq) {
        Tensor w = e.initializer(n.input(1));
        QuantParams p = weightParams(w, 0);
        int spatial = w.shape().rank() - 2;
        int[] chanDims = new int[spatial + 1];
        java.util.Arrays.fill(chanDims, 1);
        chanDims[0] = p.channels();
        Attributes convAttrs = new Attributes(new java.util.LinkedHashMap<>(n.attributes().asMap()));
        String product = integerThenScale(e, n, "ConvInteger", convAttrs, xq, w, p, Shape.of(chanDims), 1f);
        String bias = null;
        if (n.inputs().size() > 2 && !n.input(2).isEmpty()) {
            Tensor b = e.initializer(n.input(2)); // constant: reasonToKeep checked
            bias = e.addInitializer(n.name() + "_bias", b.cast(DType.FLOAT32).reshape(Shape.of(chanDims)));
        }
        finish(e, n, product, bias);
    }

    /**
     * Adds the integer op over (x_q, W_q) with zero points, the Cast to float and the multiply by
     * x_scale * W_scale (W_scale shaped scaleShape, times alpha); returns the float product's name.
     */
    private String integerThenScale(GraphEditor e, Node n, String intOp, Attributes attrs, String[] xq, Tensor w,
            QuantParams p, Shape scaleShape, float alpha) {
        Tensor codes = p.quantize(w);
        Tensor zp = p.zeroPointTensor();
        if (intOp.equals("ConvInteger")) {
            // ONNX Runtime's CPU ConvInteger takes uint8 weights and one weight zero point: the same int8
            // grid moved up by 128 (codes and zero point alike), so values are unchanged; reasonToKeep
            // made sure every channel has the same zero point
            codes = shifted(codes);
            zp = shifted(Tensor.wrap(DType.INT8, Shape.scalar(), new byte[] {(byte) p.zeroPoint()[0]}));
        }
        String wq = e.addInitializer(n.name() + "_weight_quantized", codes);
        String wzp = e.addInitializer(n.name() + "_weight_zero_point", zp);
        float[] scale = p.scale().clone();
        for (int i = 0; i < scale.length; i++) {
            scale[i] *= alpha;
        }
        String ws = e.addInitializer(n.name() + "_weight_scale",
                p.isPerChannel() ? Tensor.of(scaleShape, scale) : Tensor.scalar(scale[0]));
        Node integer = e.addNode(n.name() + "_" + intOp, op(intOp, attrs), List.of(xq[0], wq, xq[2], wzp), 1);
        Node asFloat = e.addNode(n.name() + "_cast", op("Cast", Attributes.of("to", (long) DType.FLOAT32.onnxCode)),
                List.of(integer.output(0)), 1);
        Node s = e.addNode(n.name() + "_scale", op("Mul", Attributes.of()), List.of(xq[1], ws), 1);
        return e.addNode(n.name() + "_rescale", op("Mul", Attributes.of()), List.of(asFloat.output(0), s.output(0)), 1)
                .output(0);
    }

    /** Replaces n by an Identity-free tail: the last node writes n's output name. */
    private static void finish(GraphEditor e, Node n, String product, String bias) {
        e.removeNode(n);
        Node last = e.producer(product);
        String out = n.output(0);
        if (bias == null) {
            e.replaceNode(last, new Node(last.name(), last.op(), last.inputs(), List.of(out)));
        } else {
            e.addNode(new Node(e.freshName(n.name() + "_bias_add"), op("Add", Attributes.of()), List.of(product, bias),
                    List.of(out)));
        }
    }

    private QuantParams weightParams(Tensor w, int axis) {
        float[] v = w.floats();
        if (!weights.perChannel()) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            return QuantParams.perTensor(weights, lo, hi);
        }
        int channels = w.shape().dim(axis);
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        int[] ch = new QuantParams(weights, new float[channels], new int[channels], axis).channelIndex(w.shape());
        for (int i = 0; i < v.length; i++) {
            lo[ch[i]] = Math.min(lo[ch[i]], v[i]);
            hi[ch[i]] = Math.max(hi[ch[i]], v[i]);
        }
        return QuantParams.perChannel(weights, lo, hi, axis);
    }

    /** int8 codes as uint8 codes 128 higher. */
    private static Tensor shifted(Tensor int8) {
        byte[] a = int8.bytes();
        byte[] u = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            u[i] = (byte) (a[i] + 128);
        }
        return Tensor.wrap(DType.UINT8, int8.shape(), u);
    }

    private static Tensor transpose(Tensor w) {
        int rows = w.shape().dim(0);
        int cols = w.shape().dim(1);
        float[] a = w.floats();
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return Tensor.of(Shape.of(cols, rows), t);
    }

    private static Tensor scaled(Tensor t, float k) {
        float[] a = t.floats().clone();
        for (int i = 0; i < a.length; i++) {
            a[i] *= k;
        }
        return Tensor.of(t.shape(), a);
    }

    private static dev.minnow.graph.Op op(String type, Attributes a) {
        return OpRegistry.global().create(type, a);
    }
}
