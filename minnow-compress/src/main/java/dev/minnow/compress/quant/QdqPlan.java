package dev.minnow.compress.quant;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which values of a float graph (batch norm already folded) a QDQ export quantizes, and how, in
 * the layout ONNX Runtime fuses into its integer kernels:
 * <ul>
 * <li>Conv, Gemm (alpha = beta = 1) and MatMul with a constant weight, residual Add, GlobalAveragePool,
 * AveragePool and Concat are computed on quantized inputs and write a quantized output;</li>
 * <li>a Relu, or a Clip with lower bound 0, that alone reads a Conv / Gemm / MatMul / Add output is
 * absorbed: the op's output is quantized with the activation's range [0, max] and zero point 0,
 * whose clamp is the ReLU (ORT's QLinearConv expects exactly this);</li>
 * <li>MaxPool, Flatten and Reshape of a quantized value share its parameters (ORT then drops the
 * QDQ around them and runs them on the integers);</li>
 * <li>graph outputs stay float (the logits keep their precision), and every other op that reads
 * a float activation stays in float: it is listed in {@link #floatNodes}, never dropped silently.</li>
 * </ul>
 *
 * @param observed   activation values whose range calibration must measure, in graph order
 * @param sharedFrom pass-through outputs and the quantized input whose parameters they share
 * @param absorbed   the output of each quantized op whose Relu / Clip is absorbed -> that activation node
 * @param quantized  nodes computed on integers (weights quantized), in graph order
 * @param floatNodes nodes that read a float activation and stay in float
 */
public record QdqPlan(List<String> observed, Map<String, String> sharedFrom, Map<String, Node> absorbed,
        List<Node> quantized, List<Node> floatNodes) {

    /** The value whose observed range quantizes value (itself, the absorbed activation's output, or a shared source). */
    public String source(String value) {
        String v = value;
        while (sharedFrom.containsKey(v)) {
            v = sharedFrom.get(v);
        }
        Node act = absorbed.get(v);
        return act != null ? act.output(0) : v;
    }

    /** Every activation value that gets a QuantizeLinear, in graph order. */
    public Set<String> quantizedValues() {
        Set<String> all = new LinkedHashSet<>();
        for (String v : observed) {
            if (!isAbsorbedOutput(v)) {
                all.add(v);
            }
        }
        all.addAll(absorbed.keySet());
        all.addAll(sharedFrom.keySet());
        return all;
    }

    private boolean isAbsorbedOutput(String v) {
        return absorbed.values().stream().anyMatch(n -> n.output(0).equals(v));
    }

    public static QdqPlan of(Graph g) {
        g.validate();
        List<String> observed = new ArrayList<>();
        Set<String> quantized = new LinkedHashSet<>();
        Map<String, String> shared = new LinkedHashMap<>();
        Map<String, Node> absorbed = new LinkedHashMap<>();
        Set<Node> absorbedNodes = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        List<Node> qnodes = new ArrayList<>();
        List<Node> floats = new ArrayList<>();
        Set<String> outputs = new LinkedHashSet<>();
        g.outputs().forEach(v -> outputs.add(v.name()));
        for (Node n : g.nodes()) {
            if (absorbedNodes.contains(n)) {
                continue;
            }
            List<Integer> data = computeInputs(g, n);
            if (data != null) {
                for (int i : data) {
                    String in = n.input(i);
                    if (quantized.add(in)) {
                        observed.add(in);
                    }
                }
                qnodes.add(n);
                String out = n.output(0);
                if (outputs.contains(out)) {
                    continue;
                }
                Node act = absorbable(g, n, outputs);
                if (act != null) {
                    absorbedNodes.add(act);
                    absorbed.put(out, act);
                    observed.add(act.output(0));
                    quantized.add(act.output(0)); // its readers (a MaxPool) see a quantized value
                } else {
                    observed.add(out);
                }
                quantized.add(out);
                continue;
            }
            String in0 = n.inputs().isEmpty() ? "" : n.input(0);
            boolean inQuantized = quantized.contains(in0);
            if (inQuantized && isPassThrough(g, n) && !outputs.contains(n.output(0))) {
                shared.put(n.output(0), in0);
                quantized.add(n.output(0));
                continue;
            }
            if (inQuantized && isActivation(g, n) && !outputs.contains(n.output(0))) {
                qnodes.add(n);
                observed.add(n.output(0));
                quantized.add(n.output(0));
                continue;
            }
            if (readsFloatActivation(g, n)) {
                floats.add(n);
            }
        }
        return new QdqPlan(List.copyOf(observed), shared, absorbed, qnodes, floats);
    }

    /** For an op with an integer path, the indices of its activation inputs; null otherwise. */
    static List<Integer> computeInputs(Graph g, Node n) {
        if (!n.domain().isEmpty() || n.outputs().size() != 1 || !isFloatActivation(g, n.output(0))) {
            return null;
        }
        return switch (n.opType()) {
            case "Conv" -> constantFloat(g, n, 1) && isFloatActivation(g, n.input(0))
                    && (n.inputs().size() < 3 || n.input(2).isEmpty() || constantFloat(g, n, 2)) ? List.of(0) : null;
            case "Gemm" -> constantFloat(g, n, 1) && isFloatActivation(g, n.input(0))
                    && n.attributes().getFloat("alpha", 1) == 1 && n.attributes().getFloat("beta", 1) == 1
                    && n.attributes().getInt("transA", 0) == 0
                    && (n.inputs().size() < 3 || n.input(2).isEmpty() || constantFloat(g, n, 2)) ? List.of(0) : null;
            case "MatMul" -> constantFloat(g, n, 1) && g.initializers().get(n.input(1)).shape().rank() == 2
                    && isFloatActivation(g, n.input(0)) ? List.of(0) : null;
            case "Add" -> isFloatActivation(g, n.input(0)) && isFloatActivation(g, n.input(1))
                    && g.type(n.input(0)).shape().equals(g.type(n.input(1)).shape()) ? List.of(0, 1) : null;
            case "GlobalAveragePool", "AveragePool" -> isFloatActivation(g, n.input(0)) ? List.of(0) : null;
            case "Concat" -> {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < n.inputs().size(); i++) {
                    if (!isFloatActivation(g, n.input(i))) {
                        yield null;
                    }
                    idx.add(i);
                }
                yield idx;
            }
            default -> null;
        };
    }

    /** The weight's output-channel axis: 0 for Conv and Gemm with transB, 1 for MatMul and plain Gemm. */
    static int weightAxis(Node n) {
        return switch (n.opType()) {
            case "Conv" -> 0;
            case "Gemm" -> n.attributes().getInt("transB", 0) == 1 ? 0 : 1;
            default -> 1;
        };
    }

    private static Node absorbable(Graph g, Node n, Set<String> outputs) {
        if (!List.of("Conv", "Gemm", "MatMul", "Add").contains(n.opType())) {
            return null;
        }
        List<Node> readers = g.consumers(n.output(0));
        if (readers.size() != 1) {
            return null;
        }
        Node act = readers.getFirst();
        if (outputs.contains(act.output(0)) || !isActivation(g, act)) {
            return null;
        }
        return act;
    }

    /** Relu, or Clip whose lower bound is 0 and whose bounds are constants (ReLU6). */
    static boolean isActivation(Graph g, Node n) {
        if (!n.domain().isEmpty()) {
            return false;
        }
        if (n.opType().equals("Relu")) {
            return true;
        }
        if (!n.opType().equals("Clip")) {
            return false;
        }
        double lo = n.attributes().getFloat("min", Double.NEGATIVE_INFINITY);
        if (n.inputs().size() > 1 && !n.input(1).isEmpty()) {
            Tensor t = g.initializers().get(n.input(1));
            if (t == null || t.size() != 1) {
                return false;
            }
            lo = t.getDouble(0);
        }
        if (n.inputs().size() > 2 && !n.input(2).isEmpty() && g.initializers().get(n.input(2)) == null) {
            return false;
        }
        return lo == 0;
    }

    private static boolean isPassThrough(Graph g, Node n) {
        if (!n.domain().isEmpty()) {
            return false;
        }
        return switch (n.opType()) {
            case "MaxPool" -> n.outputs().size() == 1 || n.outputs().get(1).isEmpty();
            case "Flatten" -> true;
            case "Reshape" -> g.initializers().containsKey(n.input(1));
            default -> false;
        };
    }

    private static boolean constantFloat(Graph g, Node n, int i) {
        Tensor t = n.inputs().size() > i ? g.initializers().get(n.input(i)) : null;
        return t != null && t.dtype() == DType.FLOAT32;
    }

    private static boolean isFloatActivation(Graph g, String v) {
        if (v.isEmpty() || g.initializers().containsKey(v)) {
            return false;
        }
        TensorType t = g.type(v);
        return t != null && t.dtype() == DType.FLOAT32;
    }

    private static boolean readsFloatActivation(Graph g, Node n) {
        return n.inputs().stream().anyMatch(v -> isFloatActivation(g, v));
    }
}
