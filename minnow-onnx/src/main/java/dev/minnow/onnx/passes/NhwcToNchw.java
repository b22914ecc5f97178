package dev.minnow.onnx.passes;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Canonicalizes image inputs of NHWC models (tf2onnx) to NCHW: when a rank-4 graph input reaches
 * a Transpose with perm [0,3,1,2] through a chain of layout-blind ops (casts, (de)quantization
 * with per-tensor parameters, activations, arithmetic with one-element constants), the input is
 * redeclared as [N,C,H,W] and the Transpose removed. Callers then feed NCHW images; the graph's
 * metadata records the change under "minnow.input_layout".
 */
public final class NhwcToNchw implements GraphPass {
    private static final Set<String> UNARY = Set.of("Cast", "Relu", "Identity", "Clip", "Sigmoid", "Tanh", "Neg",
            "Abs", "Sqrt", "Exp", "Floor", "Ceil", "Round", "LeakyRelu", "HardSigmoid", "Softplus");
    private static final Set<String> WITH_SCALARS = Set.of("Add", "Sub", "Mul", "Div", "QuantizeLinear", "DequantizeLinear");
    private static final long[] TO_NCHW = {0, 3, 1, 2};

    @Override
    public String name() {
        return "nhwc-to-nchw";
    }

    /** Runs on the graph as read, before it validates (only declared input types are read). */
    @Override
    public boolean needsValidGraph() {
        return false;
    }

    /** Converts graph in place; returns the names of the inputs that were converted. */
    public static List<String> apply(Graph g) {
        List<String> converted = new ArrayList<>();
        new NhwcToNchw().convert(new GraphEditor(g), converted);
        return converted;
    }

    /** Counts "inputs_converted" (one change line each, naming the Transpose removed). */
    @Override
    public PassRecord apply(GraphEditor e) {
        return convert(e, new ArrayList<>());
    }

    private PassRecord convert(GraphEditor e, List<String> converted) {
        PassRecord.Builder record = PassRecord.of(name()).count("inputs_converted", 0);
        for (Value v : List.copyOf(e.graph().inputs())) {
            if (v.type() == null || v.type().shape().rank() != 4) {
                continue;
            }
            Node transpose = findTranspose(e, v.name());
            if (transpose == null) {
                continue;
            }
            e.bypass(transpose, 0, transpose.input(0));
            int[] d = v.type().shape().dims();
            e.setInputType(v.name(), new TensorType(v.type().dtype(), Shape.of(d[0], d[3], d[1], d[2])));
            converted.add(v.name());
            record.count("inputs_converted", 1).change("input '" + v.name() + "' " + v.type().shape() + " -> "
                    + Shape.of(d[0], d[3], d[1], d[2]) + ", Transpose '" + transpose.name() + "' removed");
        }
        if (!converted.isEmpty()) {
            e.graph().metadata().put("minnow.input_layout", "NCHW (inputs " + String.join(", ", converted)
                    + " converted from NHWC on import)");
        }
        return record.build();
    }

    /** The Transpose to NCHW that the input reaches through layout-blind single-consumer nodes, or null. */
    private static Node findTranspose(GraphEditor e, String value) {
        String cur = value;
        for (int steps = 0; steps < 16; steps++) {
            List<Node> consumers = e.readers(cur);
            if (consumers.size() != 1 || e.isGraphOutput(cur)) {
                return null;
            }
            Node c = consumers.get(0);
            if (c.opType().equals("Transpose") && Arrays.equals(c.attributes().getInts("perm", null), TO_NCHW)) {
                return c;
            }
            if (c.outputs().size() != 1 || !layoutBlind(e, c, cur)) {
                return null;
            }
            cur = c.output(0);
        }
        return null;
    }

    private static boolean layoutBlind(GraphEditor e, Node n, String data) {
        if (!n.domain().isEmpty()) {
            return false;
        }
        if (UNARY.contains(n.opType())) {
            return n.inputs().subList(1, n.inputs().size()).stream().allMatch(s -> s.isEmpty() || isScalarConstant(e, s));
        }
        if (WITH_SCALARS.contains(n.opType())) {
            for (String s : n.inputs()) {
                if (!s.equals(data) && !s.isEmpty() && !isScalarConstant(e, s)) {
                    return false;
                }
            }
            return n.inputs().indexOf(data) == n.inputs().lastIndexOf(data);
        }
        return false;
    }

    private static boolean isScalarConstant(GraphEditor e, String name) {
        Tensor t = e.initializer(name);
        return t != null && t.size() == 1;
    }
}
