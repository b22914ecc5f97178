package dev.minnow.compress.quant.qat;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a trained QAT graph into a standard ONNX QDQ graph that ONNX Runtime and Minnow's
 * {@code QdqFusion} run in integers. A weight quantizer (FakeQuantize or LowBitWeight on an
 * initializer) becomes an int8 code initializer read by DequantizeLinear (per output channel
 * on the weight's axis); an activation FakeQuantize becomes QuantizeLinear + DequantizeLinear
 * (uint8 after a ReLU), preceded by a Clip when its level range is narrower than the storage
 * type's (4-bit codes 0..15 stored in uint8: QuantizeLinear alone would saturate at 255 only);
 * a float bias of a layer whose input and weight are both dequantized becomes int32 codes with
 * scale s_in * s_w (zero point 0), as ONNX Runtime's QLinearConv takes it.
 *
 * <p>Every value the QAT graph computed stays the same except the bias's rounding: the
 * exported model is the fake-quantized model. Weight codes keep their true bit width in
 * {@link #packedBits()}, for sizes that count sub-8-bit weights packed.
 */
public final class QatExport implements GraphPass {
    /** One quantized layer of the export: its weight's codes and how many bits each takes packed. */
    public record Layer(String node, String opType, String weight, int bits, long weights, int channels) {
    }

    private final Map<String, Integer> packedBits = new LinkedHashMap<>();
    private final List<Layer> layers = new ArrayList<>();

    @Override
    public String name() {
        return "qat-export";
    }

    /** Exports a copy of the QAT graph; the input graph is unchanged. */
    public static Exported export(Graph qat) {
        QatExport x = new QatExport();
        Graph g = qat.copy();
        GraphEditor e = new GraphEditor(g);
        PassRecord r = x.apply(e);
        return new Exported(e.commit(), x.layers(), x.packedBits(), r);
    }

    /** The exported graph, its layers, and the packed bit width of each weight-code initializer. */
    public record Exported(Graph graph, List<Layer> layers, Map<String, Integer> packedBits, PassRecord record) {
        /** Bytes of all initializers, sub-8-bit weight codes counted at their packed width. */
        public long sizeBytes() {
            long total = 0;
            for (var en : graph.initializers().entrySet()) {
                Integer bits = packedBits.get(en.getKey());
                Tensor t = en.getValue();
                total += bits == null ? (long) t.size() * t.dtype().bytes : ((long) t.size() * bits + 7) / 8;
            }
            return total;
        }
    }

    public Map<String, Integer> packedBits() {
        return Map.copyOf(packedBits);
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder rec = PassRecord.of(name());
        Graph g = e.graph();
        Map<String, Node> layerOfWeight = new LinkedHashMap<>();
        for (Node n : g.nodes()) {
            if ((n.opType().equals("Conv") || n.opType().equals("Gemm") || n.opType().equals("MatMul")) && n.inputs().size() > 1) {
                layerOfWeight.put(n.input(1), n);
            }
        }
        for (Node n : List.copyOf(g.nodes())) {
            boolean fq = n.opType().equals("FakeQuantize");
            boolean lowBit = n.opType().equals("LowBitWeight");
            if (!fq && !lowBit) {
                continue;
            }
            Tensor w = e.initializer(n.input(0));
            Node layer = layerOfWeight.get(n.output(0));
            if (w != null) {
                weight(e, n, w, layer);
                rec.count("weights", 1);
            } else if (fq) {
                activation(e, n);
                rec.count("activations", 1);
            } else {
                throw new InvalidInputException("LowBitWeight '" + n.name() + "' reads a computed value, not a weight;"
                        + " it cannot be exported as QDQ");
            }
        }
        e.commit();
        for (Node n : List.copyOf(g.nodes())) {
            if (layerOfWeight.containsValue(n) || isLayer(n)) {
                if (bias(e, n)) {
                    rec.count("biases", 1);
                }
            }
        }
        e.removeUnused();
        return rec.build();
    }

    private static boolean isLayer(Node n) {
        return n.opType().equals("Conv") || n.opType().equals("Gemm");
    }

    /** Weight codes and their DequantizeLinear, written to the quantizer's output name. */
    private void weight(GraphEditor e, Node n, Tensor w, Node layer) {
        Tensor scale;
        Tensor codes;
        int axis;
        int bits;
        if (n.opType().equals("FakeQuantize")) {
            scale = constant(e, n.input(1));
            long qmin = n.attributes().getInt("qmin", -128);
            long qmax = n.attributes().getInt("qmax", 127);
            if (qmin < -128 || qmax > 127) {
                throw new InvalidInputException("weight quantizer '" + n.name() + "' has levels " + qmin + ".." + qmax
                        + ", wider than int8");
            }
            axis = scale.size() == 1 ? -1 : (int) n.attributes().getInt("axis", 1);
            Tensor zp = n.inputs().size() > 2 && !n.input(2).isEmpty() ? constant(e, n.input(2)) : null;
            codes = codes(w, scale, zp, axis, qmin, qmax);
            bits = bitsFor(qmax - qmin + 1);
        } else {
            Tensor wq = n.op().forward(null, new Tensor[] {w})[0];
            String mode = n.attributes().getString("mode", "binary");
            if (mode.equals("dorefa")) {
                int k = (int) n.attributes().getInt("bits", 2);
                if (k > 7) {
                    throw new InvalidInputException("DoReFa weights of " + k + " bits have codes beyond int8; use 7 bits or fewer");
                }
                float n1 = (1 << k) - 1;
                scale = Tensor.scalar(1f / n1);
                axis = -1;
                codes = codes(wq, Tensor.scalar(1f / n1), null, -1, -127, 127);
                bits = k;
            } else {
                axis = 0;
                int channels = w.shape().dim(0);
                int inner = w.size() / channels;
                float[] s = new float[channels];
                float[] v = wq.floats();
                for (int i = 0; i < v.length; i++) {
                    s[i / inner] = Math.max(s[i / inner], Math.abs(v[i]));
                }
                for (int c = 0; c < channels; c++) {
                    s[c] = s[c] > 0 ? s[c] : 1f;
                }
                scale = Tensor.of(Shape.of(channels), s);
                codes = codes(wq, scale, null, 0, -1, 1);
                bits = mode.equals("binary") ? 1 : 2;
            }
        }
        String codeName = e.addInitializer(n.input(0) + "_quantized", codes);
        String scaleName = e.addInitializer(n.input(0) + "_scale", scale);
        Tensor zero = Tensor.zeros(DType.INT8, scale.size() == 1 ? Shape.scalar() : Shape.of(scale.size()));
        String zpName = e.addInitializer(n.input(0) + "_zero_point", zero);
        packedBits.put(codeName, bits);
        e.removeNode(n);
        Attributes a = axis >= 0 ? Attributes.of("axis", (long) axis) : new Attributes();
        e.addNode(new Node(e.freshName(n.name() + "_dq"), OpRegistry.global().create("DequantizeLinear", a),
                List.of(codeName, scaleName, zpName), List.of(n.output(0))));
        if (layer != null) {
            layers.add(new Layer(layer.name(), layer.opType(), n.input(0), bits, w.size(), scale.size()));
        }
    }

    private static int bitsFor(long levels) {
        int b = 1;
        while ((1L << b) < levels) {
            b++;
        }
        return b;
    }

    /** clamp(rint(x / s) + z, qmin, qmax) as int8, per channel of axis (-1: per tensor). */
    private static Tensor codes(Tensor x, Tensor scale, Tensor zp, int axis, long qmin, long qmax) {
        float[] v = x.floats();
        byte[] q = new byte[v.length];
        int channels = scale.size();
        int inner = 1;
        if (axis >= 0) {
            for (int d = axis + 1; d < x.shape().rank(); d++) {
                inner *= x.shape().dim(d);
            }
        }
        for (int i = 0; i < v.length; i++) {
            int c = channels == 1 ? 0 : (i / inner) % channels;
            float s = (float) scale.getDouble(c);
            double z = zp == null ? 0 : zp.getDouble(zp.size() == 1 ? 0 : c);
            double r = Math.rint(v[i] / s) + z;
            q[i] = (byte) Math.max(qmin, Math.min(qmax, r));
        }
        return Tensor.wrap(DType.INT8, x.shape(), q);
    }

    /** An activation FakeQuantize as [Clip ->] QuantizeLinear -> DequantizeLinear. */
    private static void activation(GraphEditor e, Node n) {
        Tensor scale = constant(e, n.input(1));
        if (scale.size() != 1) {
            throw new InvalidInputException("activation quantizer '" + n.name() + "' is per channel; QDQ export handles"
                    + " per-tensor activations");
        }
        long qmin = n.attributes().getInt("qmin", -128);
        long qmax = n.attributes().getInt("qmax", 127);
        Tensor zpIn = n.inputs().size() > 2 && !n.input(2).isEmpty() ? constant(e, n.input(2)) : null;
        int z = zpIn == null ? 0 : (int) zpIn.getDouble(0);
        boolean unsigned = qmin >= 0;
        if (unsigned ? qmax > 255 : qmin < -128 || qmax > 127) {
            throw new InvalidInputException("activation quantizer '" + n.name() + "' has levels " + qmin + ".." + qmax
                    + ", wider than 8 bits");
        }
        Tensor zp = Tensor.zeros(unsigned ? DType.UINT8 : DType.INT8, Shape.scalar());
        zp.bytes()[0] = (byte) z;
        String base = n.name();
        String scaleName = e.addInitializer(base + "_scale", Tensor.scalar((float) scale.getDouble(0)));
        String zpName = e.addInitializer(base + "_zero_point", zp);
        String x = n.input(0);
        e.removeNode(n);
        long typeMin = unsigned ? 0 : -128;
        long typeMax = unsigned ? 255 : 127;
        float s = (float) scale.getDouble(0);
        if (qmin > typeMin || qmax < typeMax) {
            String lo = e.addInitializer(base + "_clip_min", Tensor.scalar((qmin - z) * s));
            String hi = e.addInitializer(base + "_clip_max", Tensor.scalar((qmax - z) * s));
            x = e.addNode(base + "_clip", OpRegistry.global().create("Clip", new Attributes()), List.of(x, lo, hi), 1).output(0);
        }
        String q = e.addNode(base + "_q", OpRegistry.global().create("QuantizeLinear", new Attributes()),
                List.of(x, scaleName, zpName), 1).output(0);
        e.addNode(new Node(e.freshName(base + "_dq"), OpRegistry.global().create("DequantizeLinear", new Attributes()),
                List.of(q, scaleName, zpName), List.of(n.output(0))));
    }

    /** An initializer, or a node over initializers evaluated once (PACT's alpha / qmax). */
    private static Tensor constant(GraphEditor e, String value) {
        Tensor t = e.initializer(value);
        if (t != null) {
            return t;
        }
        Node p = e.producer(value);
        if (p != null) {
            Tensor[] in = new Tensor[p.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = e.initializer(p.input(i));
                if (in[i] == null) {
                    break;
                }
            }
            if (java.util.Arrays.stream(in).allMatch(java.util.Objects::nonNull)) {
                return p.op().forward(null, in)[0];
            }
        }
        throw new InvalidInputException("quantization parameter '" + value + "' is not a constant; QDQ export needs"
                + " fixed scales and zero points");
    }

    /** Quantizes a float bias to int32 with scale s_in * s_w when both are dequantized; returns whether it did. */
    private static boolean bias(GraphEditor e, Node layer) {
        if (layer.inputs().size() < 3 || layer.input(2).isEmpty()) {
            return false;
        }
        Tensor b = e.initializer(layer.input(2));
        Node dqx = e.producer(layer.input(0));
        Node dqw = e.producer(layer.input(1));
        if (b == null || b.dtype() != DType.FLOAT32 || dqx == null || dqw == null
                || !dqx.opType().equals("DequantizeLinear") || !dqw.opType().equals("DequantizeLinear")) {
            return false;
        }
        Tensor sx = e.initializer(dqx.input(1));
        Tensor sw = e.initializer(dqw.input(1));
        if (sx == null || sw == null || sx.size() != 1 || (sw.size() != 1 && sw.size() != b.size())) {
            return false;
        }
        float[] bv = b.floats();
        float[] sb = new float[bv.length];
        int[] q = new int[bv.length];
        for (int c = 0; c < bv.length; c++) {
            sb[c] = (float) sx.getDouble(0) * (float) sw.getDouble(sw.size() == 1 ? 0 : c);
            q[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(bv[c] / sb[c])));
        }
        String codes = e.addInitializer(layer.input(2) + "_quantized", Tensor.ofInts(b.shape(), q));
        String scale = e.addInitializer(layer.input(2) + "_scale", Tensor.of(Shape.of(sb.length), sb));
        Node dq = e.addNode(layer.name() + "_bias_dq", OpRegistry.global().create("DequantizeLinear",
                Attributes.of("axis", 0L)), List.of(codes, scale), 1);
        List<String> in = new ArrayList<>(layer.inputs());
        in.set(2, dq.output(0));
        e.replaceNode(layer, layer.withInputs(in));
        return true;
    }
}
