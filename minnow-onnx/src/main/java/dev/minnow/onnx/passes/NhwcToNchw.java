package dev.minnow.onnx.passes;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Canonicalizes image inputs of NHWC models (tf2onnx) to NCHW: when a rank-4 graph input reaches
 * a Transpose with perm [0,3,1,2] through a chain of layout-blind ops (casts, (de)quantization
 * with per-tensor parameters, activations, arithmetic with one-element constants), the input is
 * redeclared as [N,C,H,W] and the Transpose removed. Callers then feed NCHW images; the graph's
 * metadata records the change under "minnow.input_layout".
 */
public final class NhwcToNchw {
    private static final Set<String> UNARY = Set.of("Cast", "Relu", "Identity", "Clip", "Sigmoid", "Tanh", "Neg",
            "Abs", "Sqrt", "Exp", "Floor", "Ceil", "Round", "LeakyRelu", "HardSigmoid", "Softplus");
    private static final Set<String> WITH_SCALARS = Set.of("Add", "Sub", "Mul", "Div", "QuantizeLinear", "DequantizeLinear");
    private static final long[] TO_NCHW = {0, 3, 1, 2};

    private NhwcToNchw() {
    }

    /** Returns the names of the inputs that were converted. */
    public static List<String> apply(Graph g) {
        List<String> converted = new ArrayList<>();
        List<Value> inputs = new ArrayList<>(g.inputs());
        for (int i = 0; i < inputs.size(); i++) {
            Value v = inputs.get(i);
            if (v.type() == null || v.type().shape().rank() != 4) {
                continue;
            }
            Node transpose = findTranspose(g, v.name());
            if (transpose == null) {
                continue;
            }
            String from = transpose.output(0);
            String to = transpose.input(0);
            List<Node> nodes = new ArrayList<>();
            for (Node n : g.nodes()) {
                if (n == transpose) {
                    continue;
                }
                List<String> ins = new ArrayList<>(n.inputs());
                ins.replaceAll(s -> s.equals(from) ? to : s);
                nodes.add(ins.equals(n.inputs()) ? n : n.withInputs(ins));
            }
            g.setNodes(nodes);
            List<Value> outs = new ArrayList<>(g.outputs());
            outs.replaceAll(o -> o.name().equals(from) ? new Value(to, o.type()) : o);
            g.setOutputs(outs);
            int[] d = v.type().shape().dims();
            inputs.set(i, new Value(v.name(), new TensorType(v.type().dtype(), Shape.of(d[0], d[3], d[1], d[2]))));
            converted.add(v.name());
        }
        if (!converted.isEmpty()) {
            g.setInputs(inputs);
            g.metadata().put("minnow.input_layout", "NCHW (inputs " + String.join(", ", converted)
                    + " converted from NHWC on import)");
        }
        return converted;
    }

    /** The Transpose to NCHW that the input reaches through layout-blind single-consumer nodes, or null. */
    private static Node findTranspose(Graph g, String value) {
        String cur = value;
        for (int steps = 0; steps < 16; steps++) {
            List<Node> consumers = g.consumers(cur);
            if (consumers.size() != 1 || isGraphOutput(g, cur)) {
                return null;
            }
            Node c = consumers.get(0);
            if (c.opType().equals("Transpose") && Arrays.equals(c.attributes().getInts("perm", null), TO_NCHW)) {
                return c;
            }
            if (c.outputs().size() != 1 || !layoutBlind(g, c, cur)) {
                return null;
            }
            cur = c.output(0);
        }
        return null;
    }

    private static boolean layoutBlind(Graph g, Node n, String data) {
        if (!n.domain().isEmpty()) {
            return false;
        }
        if (UNARY.contains(n.opType())) {
            return n.inputs().subList(1, n.inputs().size()).stream().allMatch(s -> s.isEmpty() || isScalarConstant(g, s));
        }
        if (WITH_SCALARS.contains(n.opType())) {
            for (String s : n.inputs()) {
                if (!s.equals(data) && !s.isEmpty() && !isScalarConstant(g, s)) {
                    return false;
                }
            }
            return n.inputs().indexOf(data) == n.inputs().lastIndexOf(data);
        }
        return false;
    }

    private static boolean isScalarConstant(Graph g, String name) {
        Map<String, Tensor> init = g.initializers();
        return init.containsKey(name) && init.get(name).size() == 1;
    }

    private static boolean isGraphOutput(Graph g, String name) {
        return g.outputs().stream().anyMatch(v -> v.name().equals(name));
    }
}
