package dev.minnow.infer;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs quantized (QDQ) convolutions in integers, as ONNX Runtime does: the group
 * DequantizeLinear(x) -> Conv(., DequantizeLinear(W), DequantizeLinear(B int32)) [-> Relu | Clip]
 * -> QuantizeLinear becomes one QLinearConv (exact int32 accumulation, float32 requantization).
 * Computing the group in float instead rounds some values one step differently, and those steps
 * add up over a deep network (measured on MobileNet V1 int8: 20% of the last layer's values
 * differed from ONNX Runtime, 4% of the top-1 classes).
 *
 * <p>Applies when x is uint8 / int8 with one scale and zero point; W is an int8 / uint8
 * initializer with per-tensor or per-output-channel (axis 0) scales and one zero point; B, if
 * any, an int32 initializer with zero point 0 (its integers are added as they are, as ONNX
 * Runtime does); the output quantization is per tensor; the Conv's output (and the activation's)
 * feeds only the QuantizeLinear and is no graph output. A Relu or Clip between Conv and
 * QuantizeLinear is absorbed only when the quantization saturates at its bounds anyway (Relu
 * with the zero point at the type's minimum, the usual ReLU6 with a 6/255 scale), since then it
 * changes nothing; otherwise the group stays in float.
 *
 * <p>ONNX Runtime fuses such groups into QLinearConv for uint8 activations everywhere, and for
 * int8 activations on ARM; on x86 it first turns int8 activations into uint8 where its pass can
 * (same real values) and runs the rest in float (MobileNet V2 int8: 36 of 52 convolutions fused,
 * 16 in float). Minnow fuses all: the integer result is the exact one and does not depend on a
 * float summation order. It equals ONNX Runtime's with session.qdqisint8allowed=1 bit for bit
 * (500 images) and has the same top-1 as its x86 default on 99.0% (docs/ONNX.md).
 *
 * <p>Other groups, each ending at its own QuantizeLinear (per tensor): DequantizeLinear ->
 * GlobalAveragePool -> Q becomes QLinearGlobalAveragePool; DQ(a) and DQ(constant 2-D B) -> MatMul
 * -> Q becomes QLinearMatMul, and around a Gemm (int32 bias through a DQ, beta 1) com.microsoft
 * QGemm; DQ x2 -> Add / Mul -> Q (one integer type) becomes com.microsoft QLinearAdd / QLinearMul;
 * DQ -> MaxPool / Flatten / Reshape / Transpose / Squeeze / Unsqueeze -> Q with the same scale and
 * zero point becomes that op on the codes. A Relu or
 * Clip before the Q is absorbed under the same rule as for convolutions.
 */
public final class QdqFusion implements GraphPass {
    @Override
    public String name() {
        return "qdq-fusion";
    }

    /** Rewrites graph in place (call validate afterwards); returns how many groups it fused. */
    public static int fuse(Graph graph) {
        return (int) new QdqFusion().apply(new GraphEditor(graph)).count("fused");
    }

    /** One group found: the node that takes the group's place and the nodes it absorbs. */
    private record Fusion(Node anchor, Node replacement, List<Node> absorbed) {
    }

    /**
     * Finds every group on the graph as it is (matches do not overlap: each ends at its own
     * QuantizeLinear), then rewrites them and drops the DequantizeLinear nodes left unread.
     */
    @Override
    public PassRecord apply(GraphEditor e) {
        List<Fusion> found = new ArrayList<>();
        List<Node> nodes = List.copyOf(e.graph().nodes()); // e.type() may validate, which can re-sort the list
        for (Node n : nodes) {
            Fusion f = n.opType().equals("Conv") ? matchConv(e, n) : null;
            if (f != null) {
                found.add(f);
            }
        }
        int convs = found.size();
        for (Node n : nodes) {
            Fusion f = matchPool(e, n);
            if (f != null) {
                found.add(f);
            }
        }
        int pools = found.size() - convs;
        for (Node n : nodes) {
            Fusion f = switch (n.opType()) {
                case "MatMul", "Gemm" -> matchMatMul(e, n);
                case "Add", "Mul" -> matchBinary(e, n);
                case "MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze" -> matchCodesOnly(e, n);
                default -> null;
            };
            if (f != null) {
                found.add(f);
            }
        }
        PassRecord.Builder record = PassRecord.of(name()).count("fused", found.size()).count("convs", convs)
                .count("pools", pools).count("others", found.size() - convs - pools);
        for (Fusion f : found) {
            e.replaceNode(f.anchor(), f.replacement());
            f.absorbed().forEach(e::removeNode);
            record.change(f.anchor().opType() + " '" + f.anchor().name() + "'"
                    + f.absorbed().stream().map(a -> " + " + a.opType()).reduce("", String::concat)
                    + " -> " + f.replacement().opType());
        }
        // the weights' DequantizeLinear nodes are unread now (fused groups read the integers)
        record.count("dequantize_removed", e.removeUnused(n -> n.opType().equals("DequantizeLinear")));
        return record.build();
    }

    private static Fusion matchConv(GraphEditor e, Node conv) {
        Node xdq = e.producer(conv.input(0));
        Node wdq = conv.inputs().size() > 1 ? e.producer(conv.input(1)) : null;
        if (!isDq(xdq) || e.initializer(xdq.input(0)) != null || !perTensor(e, xdq)
                || !isDq(wdq) || e.initializer(wdq.input(0)) == null) {
            return null;
        }
        TensorType xt = e.type(xdq.input(0));
        Tensor w = e.initializer(wdq.input(0));
        if (xt == null || !int8(xt.dtype()) || !int8(w.dtype()) || !weightParams(e, wdq, w)) {
            return null;
        }
        String bias = "";
        if (conv.inputs().size() > 2 && !conv.input(2).isEmpty()) {
            Node bdq = e.producer(conv.input(2));
            if (!isDq(bdq) || e.initializer(bdq.input(0)) == null || e.initializer(bdq.input(0)).dtype() != DType.INT32
                    || !zeroOrAbsent(e, bdq)) {
                return null;
            }
            bias = bdq.input(0);
        }
        Node q = soleReader(e, conv.output(0));
        Node act = null;
        if (q != null && (q.opType().equals("Relu") || q.opType().equals("Clip"))) {
            act = q;
            q = soleReader(e, act.output(0));
        }
        if (q == null || !q.opType().equals("QuantizeLinear") || !perTensor(e, q) || q.inputs().size() < 3
                || !int8(e.initializer(q.input(2)).dtype()) || (act != null && !redundant(e, act, q))) {
            return null;
        }
        List<String> in = List.of(xdq.input(0), xdq.input(1), optional(xdq, 2), wdq.input(0), wdq.input(1),
                optional(wdq, 2), q.input(1), q.input(2), bias);
        Node qconv = new Node(conv.name(), OpRegistry.global().create("QLinearConv", conv.attributes()), in,
                List.of(q.output(0)));
        return new Fusion(conv, qconv, act == null ? List.of(q) : List.of(act, q));
    }

    /**
     * DequantizeLinear -> GlobalAveragePool (or AveragePool whose one window is the whole input,
     * without padding) -> QuantizeLinear of the same integer type, per tensor, becomes
     * QLinearGlobalAveragePool (exact integer sum, as ONNX Runtime computes it).
     */
    private static Fusion matchPool(GraphEditor e, Node pool) {
        if (!(pool.opType().equals("GlobalAveragePool") || wholeInputAveragePool(e, pool))) {
            return null;
        }
        Node xdq = e.producer(pool.input(0));
        if (!isDq(xdq) || e.initializer(xdq.input(0)) != null || !perTensor(e, xdq)) {
            return null;
        }
        TensorType xt = e.type(xdq.input(0));
        Node q = soleReader(e, pool.output(0));
        if (xt == null || !int8(xt.dtype()) || q == null || !q.opType().equals("QuantizeLinear")
                || !perTensor(e, q) || q.inputs().size() < 3 || e.initializer(q.input(2)).dtype() != xt.dtype()) {
            return null;
        }
        Node qpool = new Node(pool.name(), "com.microsoft",
                OpRegistry.global().create("QLinearGlobalAveragePool", new dev.minnow.graph.Attributes()),
                List.of(xdq.input(0), xdq.input(1), optional(xdq, 2), q.input(1), q.input(2)), List.of(q.output(0)));
        return new Fusion(pool, qpool, List.of(q));
    }

    /**
     * DequantizeLinear(a) and DequantizeLinear(B, a constant 2-D weight, per tensor or per output
     * column) -> MatMul -> [Relu | Clip, when redundant] -> QuantizeLinear becomes QLinearMatMul;
     * the same around a Gemm (B transposed or not, alpha any, an int32 bias C from a
     * DequantizeLinear with zero point 0 and beta 1) becomes com.microsoft QGemm, as ONNX Runtime
     * fuses them. The product is exact; requantization in float32 as ONNX Runtime.
     */
    private static Fusion matchMatMul(GraphEditor e, Node mm) {
        boolean gemm = mm.opType().equals("Gemm");
        Node adq = e.producer(mm.input(0));
        Node bdq = e.producer(mm.input(1));
        if (!isDq(adq) || !perTensor(e, adq) || !isDq(bdq) || e.initializer(bdq.input(0)) == null) {
            return null;
        }
        TensorType at = e.type(adq.input(0));
        Tensor b = e.initializer(bdq.input(0));
        if (at == null || !int8(at.dtype()) || !int8(b.dtype()) || b.shape().rank() != 2) {
            return null;
        }
        boolean transB = gemm && mm.attributes().getInt("transB", 0) != 0;
        int nAxis = transB ? 0 : 1;
        if (!columnParams(e, bdq, b, nAxis)) {
            return null;
        }
        String bias = "";
        if (gemm && mm.inputs().size() > 2 && !mm.input(2).isEmpty()) {
            Node cdq = e.producer(mm.input(2));
            if (!isDq(cdq) || e.initializer(cdq.input(0)) == null || e.initializer(cdq.input(0)).dtype() != DType.INT32
                    || !zeroOrAbsent(e, cdq) || mm.attributes().getFloat("beta", 1.0) != 1.0) {
                return null;
            }
            bias = cdq.input(0);
        }
        Node[] tail = quantizeTail(e, mm);
        if (tail == null) {
            return null;
        }
        Node q = tail[1];
        List<String> in = new ArrayList<>(List.of(adq.input(0), adq.input(1), optional(adq, 2), bdq.input(0),
                bdq.input(1), optional(bdq, 2)));
        Node fused;
        if (gemm) {
            in.addAll(List.of(bias, q.input(1), q.input(2)));
            fused = new Node(mm.name(), OpRegistry.MICROSOFT_DOMAIN,
                    OpRegistry.global().create(OpRegistry.MICROSOFT_DOMAIN, "QGemm", mm.attributes()), in,
                    List.of(q.output(0)));
        } else {
            in.addAll(List.of(q.input(1), q.input(2)));
            fused = new Node(mm.name(), OpRegistry.global().create("QLinearMatMul", new dev.minnow.graph.Attributes()),
                    in, List.of(q.output(0)));
        }
        return new Fusion(mm, fused, tail[0] == null ? List.of(q) : List.of(tail[0], q));
    }

    /**
     * DequantizeLinear x2 -> Add (or Mul) -> [Relu | Clip, when redundant] -> QuantizeLinear, all
     * per tensor and of one integer type, becomes com.microsoft QLinearAdd (QLinearMul), computed
     * in the float32 steps of ONNX Runtime's kernel, which fuses the same groups.
     */
    private static Fusion matchBinary(GraphEditor e, Node op) {
        Node adq = e.producer(op.input(0));
        Node bdq = e.producer(op.input(1));
        if (!isDq(adq) || !isDq(bdq) || !perTensor(e, adq) || !perTensor(e, bdq)) {
            return null;
        }
        TensorType at = e.type(adq.input(0));
        TensorType bt = e.type(bdq.input(0));
        if (at == null || bt == null || !int8(at.dtype()) || at.dtype() != bt.dtype()) {
            return null;
        }
        Node[] tail = quantizeTail(e, op);
        if (tail == null || e.initializer(tail[1].input(2)).dtype() != at.dtype()) {
            return null;
        }
        Node q = tail[1];
        String type = op.opType().equals("Add") ? "QLinearAdd" : "QLinearMul";
        Node fused = new Node(op.name(), OpRegistry.MICROSOFT_DOMAIN,
                OpRegistry.global().create(OpRegistry.MICROSOFT_DOMAIN, type, new dev.minnow.graph.Attributes()),
                List.of(adq.input(0), adq.input(1), optional(adq, 2), bdq.input(0), bdq.input(1), optional(bdq, 2),
                        q.input(1), q.input(2)), List.of(q.output(0)));
        return new Fusion(op, fused, tail[0] == null ? List.of(q) : List.of(tail[0], q));
    }

    /**
     * DequantizeLinear -> MaxPool (or an op that only moves values: Flatten, Reshape, Transpose,
     * Squeeze, Unsqueeze) -> QuantizeLinear with the same scale, zero point and type: the maximum
     * commutes with the monotonic (de)quantization and moves do not change values, so the op runs
     * on the codes (its other inputs, such as Reshape's shape, unchanged).
     */
    private static Fusion matchCodesOnly(GraphEditor e, Node pool) {
        if (pool.outputs().size() > 1 && !pool.output(1).isEmpty() && !e.readers(pool.output(1)).isEmpty()) {
            return null;
        }
        Node xdq = e.producer(pool.input(0));
        if (!isDq(xdq) || !perTensor(e, xdq) || optional(xdq, 2).isEmpty()) {
            return null;
        }
        TensorType xt = e.type(xdq.input(0));
        Node q = soleReader(e, pool.output(0));
        if (xt == null || !int8(xt.dtype()) || q == null || !q.opType().equals("QuantizeLinear") || !perTensor(e, q)
                || q.inputs().size() < 3) {
            return null;
        }
        Tensor zx = e.initializer(xdq.input(2));
        Tensor zy = e.initializer(q.input(2));
        if (zy.dtype() != xt.dtype() || zx.getDouble(0) != zy.getDouble(0)
                || (float) e.initializer(xdq.input(1)).getDouble(0) != (float) e.initializer(q.input(1)).getDouble(0)) {
            return null;
        }
        List<String> in = new ArrayList<>(pool.inputs());
        in.set(0, xdq.input(0));
        Node codes = new Node(pool.name(), pool.domain(), pool.op(), in, List.of(q.output(0)));
        return new Fusion(pool, codes, List.of(q));
    }

    /**
     * The QuantizeLinear (per tensor, integer zero point) reading n's output, through a Relu or
     * Clip that it makes redundant: {activation or null, quantize}, or null.
     */
    private static Node[] quantizeTail(GraphEditor e, Node n) {
        Node q = soleReader(e, n.output(0));
        Node act = null;
        if (q != null && (q.opType().equals("Relu") || q.opType().equals("Clip"))) {
            act = q;
            q = soleReader(e, act.output(0));
        }
        if (q == null || !q.opType().equals("QuantizeLinear") || !perTensor(e, q) || q.inputs().size() < 3
                || !int8(e.initializer(q.input(2)).dtype()) || (act != null && !redundant(e, act, q))) {
            return null;
        }
        return new Node[] {act, q};
    }

    /** Per-tensor, or per-column (axis nAxis of the 2-D weight) scale and zero point. */
    private static boolean columnParams(GraphEditor e, Node wdq, Tensor w, int nAxis) {
        Tensor s = e.initializer(wdq.input(1));
        int n = w.shape().dim(nAxis);
        long axis = wdq.attributes().getInt("axis", 1);
        boolean axisOk = axis == nAxis || axis == nAxis - 2;
        if (s == null || (s.size() != 1 && (s.size() != n || !axisOk || s.shape().rank() != 1))) {
            return false;
        }
        String zpName = optional(wdq, 2);
        Tensor zp = zpName.isEmpty() ? null : e.initializer(zpName);
        return zpName.isEmpty() || (zp != null && (zp.size() == 1 || (zp.size() == n && axisOk)));
    }

    private static boolean wholeInputAveragePool(GraphEditor e, Node n) {
        if (!n.opType().equals("AveragePool") || !n.attributes().getString("auto_pad", "NOTSET").equals("NOTSET")) {
            return false;
        }
        TensorType x = e.type(n.input(0));
        long[] kernel = n.attributes().getInts("kernel_shape", null);
        if (x == null || kernel == null || x.shape().rank() != kernel.length + 2) {
            return false;
        }
        for (long p : n.attributes().getInts("pads", new long[0])) {
            if (p != 0) {
                return false;
            }
        }
        for (int k = 0; k < kernel.length; k++) {
            if (x.shape().dim(k + 2) != kernel[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDq(Node n) {
        return n != null && n.opType().equals("DequantizeLinear");
    }

    private static boolean int8(DType d) {
        return d == DType.UINT8 || d == DType.INT8;
    }

    private static String optional(Node n, int k) {
        return n.inputs().size() > k ? n.input(k) : "";
    }

    /** Scale (and zero point, if any) are one-element initializers. */
    private static boolean perTensor(GraphEditor e, Node n) {
        Tensor s = e.initializer(n.input(1));
        String zp = optional(n, 2);
        return s != null && s.size() == 1 && (zp.isEmpty() || (e.initializer(zp) != null && e.initializer(zp).size() == 1));
    }

    /** Per-tensor or per-output-channel (axis 0) scale, and one zero point (or all equal). */
    private static boolean weightParams(GraphEditor e, Node wdq, Tensor w) {
        Tensor s = e.initializer(wdq.input(1));
        if (s == null || (s.size() != 1 && (s.size() != w.shape().dim(0) || wdq.attributes().getInt("axis", 1) != 0))) {
            return false;
        }
        String zpName = optional(wdq, 2);
        if (zpName.isEmpty()) {
            return true;
        }
        Tensor zp = e.initializer(zpName);
        if (zp == null) {
            return false;
        }
        for (int k = 1; k < zp.size(); k++) {
            if (zp.getDouble(k) != zp.getDouble(0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeroOrAbsent(GraphEditor e, Node dq) {
        String zpName = optional(dq, 2);
        if (zpName.isEmpty()) {
            return true;
        }
        Tensor zp = e.initializer(zpName);
        if (zp == null) {
            return false;
        }
        for (int k = 0; k < zp.size(); k++) {
            if (zp.getDouble(k) != 0) {
                return false;
            }
        }
        return true;
    }

    private static Node soleReader(GraphEditor e, String value) {
        List<Node> readers = e.readers(value);
        return readers.size() == 1 && !e.isGraphOutput(value) ? readers.get(0) : null;
    }

    /**
     * True when quantizing after the Relu / Clip gives the same integers as without it: rounding
     * is monotonic, so that holds when the activation's bounds quantize to the type's saturation
     * limits (or beyond).
     */
    private static boolean redundant(GraphEditor e, Node act, Node q) {
        float lo = 0;
        float hi = Float.POSITIVE_INFINITY;
        if (act.opType().equals("Clip")) {
            lo = (float) act.attributes().getFloat("min", Double.NEGATIVE_INFINITY);
            hi = (float) act.attributes().getFloat("max", Double.POSITIVE_INFINITY);
            for (int k = 1; k <= 2 && k < act.inputs().size(); k++) {
                if (act.input(k).isEmpty()) {
                    continue;
                }
                Tensor t = e.initializer(act.input(k));
                if (t == null || t.size() != 1) {
                    return false;
                }
                if (k == 1) {
                    lo = (float) t.getDouble(0);
                } else {
                    hi = (float) t.getDouble(0);
                }
            }
        }
        float scale = (float) e.initializer(q.input(1)).getDouble(0);
        Tensor zpt = e.initializer(q.input(2));
        double zp = zpt.getDouble(0);
        double min = zpt.dtype() == DType.UINT8 ? 0 : -128;
        double max = zpt.dtype() == DType.UINT8 ? 255 : 127;
        boolean low = lo == Float.NEGATIVE_INFINITY || Math.rint(lo / scale) + zp <= min;
        boolean high = hi == Float.POSITIVE_INFINITY || Math.rint(hi / scale) + zp >= max;
        return low && high;
    }

}
