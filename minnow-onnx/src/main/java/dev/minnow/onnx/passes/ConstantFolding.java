package dev.minnow.onnx.passes;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.onnx.GraphRunner;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates nodes whose inputs are all constants and turns their outputs into initializers.
 * Shape chains of exporters (Shape -> Gather/Slice -> Unsqueeze -> Concat -> Reshape) fold even
 * when the batch dimension is unknown, as far as the folded value does not depend on it; a
 * Reshape target that copies the unknown batch gets 0 there ({@link ShapeArithmetic}).
 * Random ops, quantize/dequantize (their form is the model's quantization) and nodes feeding a
 * graph output directly are left alone.
 */
public final class ConstantFolding {
    private static final Set<String> NEVER = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Multinomial", "Bernoulli", "Dropout", "QuantizeLinear", "DequantizeLinear",
            "DynamicQuantizeLinear");
    /** Folding may grow the model only up to this many output elements per node. */
    private static final long SMALL = 1 << 16;

    private ConstantFolding() {
    }

    /**
     * Returns the number of nodes folded. Runs its own shape inference as it goes, so it works on
     * a graph that does not validate yet because a Reshape or Split needs a computed constant;
     * where inference fails it stops and leaves the error to {@code Graph.validate()}.
     */
    public static int apply(Graph g) {
        Map<String, Tensor> known = new HashMap<>(g.initializers());
        Map<String, TensorType> types = new HashMap<>();
        g.inputs().forEach(v -> types.put(v.name(), v.type()));
        known.forEach((k, t) -> types.put(k, new TensorType(t.dtype(), t.shape())));
        Map<String, ShapeArithmetic.Sym> syms = new HashMap<>();
        Set<String> graphOutputs = new HashSet<>();
        for (Value v : g.outputs()) {
            graphOutputs.add(v.name());
        }
        List<Node> order = topological(g.nodes(), types.keySet());
        if (order == null) {
            return 0; // a cycle or a dangling input: Graph.validate() reports it
        }
        List<Node> kept = new ArrayList<>();
        int folded = 0;
        boolean inferring = true;
        for (Node original : order) {
            Node n = original;
            Tensor[] out = null;
            if (inferring && n.opType().equals("Reshape") && n.domain().isEmpty() && !known.containsKey(n.input(1))) {
                Tensor target = ShapeArithmetic.reshapeTarget(n, syms);
                if (target != null) {
                    String name = uniqueName(n.name() + "__shape", known, types);
                    known.put(name, target);
                    types.put(name, new TensorType(target.dtype(), target.shape()));
                    g.addInitializer(name, target);
                    n = n.withInputs(List.of(n.input(0), name));
                }
            }
            if (inferring) {
                List<TensorType> outTypes = infer(n, types, known);
                if (outTypes == null) {
                    inferring = false;
                } else {
                    for (int i = 0; i < n.outputs().size() && i < outTypes.size(); i++) {
                        if (!n.outputs().get(i).isEmpty() && outTypes.get(i) != null) {
                            types.put(n.outputs().get(i), outTypes.get(i));
                        }
                    }
                    if (!NEVER.contains(n.opType()) && n.outputs().stream().noneMatch(graphOutputs::contains)) {
                        out = evaluate(types, n, known, syms);
                    }
                }
            }
            if (out == null) {
                kept.add(n);
                continue;
            }
            folded++;
            for (int i = 0; i < n.outputs().size(); i++) {
                String o = n.outputs().get(i);
                if (!o.isEmpty()) {
                    known.put(o, out[i]);
                    types.put(o, new TensorType(out[i].dtype(), out[i].shape()));
                    g.addInitializer(o, out[i]);
                }
            }
        }
        g.setNodes(kept);
        return folded;
    }

    private static List<TensorType> infer(Node n, Map<String, TensorType> types, Map<String, Tensor> known) {
        List<TensorType> in = new ArrayList<>();
        List<Tensor> consts = new ArrayList<>();
        for (String s : n.inputs()) {
            if (!s.isEmpty() && !types.containsKey(s)) {
                return null;
            }
            in.add(s.isEmpty() ? null : types.get(s));
            consts.add(s.isEmpty() ? null : known.get(s));
        }
        try {
            return n.op().inferTypes(in, consts);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Kahn's order of the nodes, or null when some input is never produced (or there is a cycle). */
    private static List<Node> topological(List<Node> nodes, Set<String> available0) {
        Set<String> available = new HashSet<>(available0);
        available.add("");
        List<Node> pending = new ArrayList<>(nodes);
        List<Node> order = new ArrayList<>();
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            List<Node> next = new ArrayList<>();
            for (Node n : pending) {
                if (available.containsAll(n.inputs())) {
                    order.add(n);
                    available.addAll(n.outputs());
                    progress = true;
                } else {
                    next.add(n);
                }
            }
            pending = next;
        }
        return pending.isEmpty() ? order : null;
    }

    private static String uniqueName(String base, Map<String, Tensor> known, Map<String, TensorType> types) {
        String name = base;
        for (int i = 1; known.containsKey(name) || types.containsKey(name); i++) {
            name = base + i;
        }
        return name;
    }

    private static Tensor[] evaluate(Map<String, TensorType> types, Node n, Map<String, Tensor> known,
            Map<String, ShapeArithmetic.Sym> syms) {
        ShapeArithmetic.Sym sym = ShapeArithmetic.evaluate(n, types, known, syms);
        if (sym != null) {
            if (sym.allKnown()) {
                return new Tensor[] {sym.toTensor()};
            }
            syms.put(n.output(0), sym);
            return null;
        }
        if (n.inputs().stream().allMatch(String::isEmpty)) {
            return null;
        }
        Tensor[] in = new Tensor[n.inputs().size()];
        long inBytes = 0;
        for (int i = 0; i < in.length; i++) {
            String s = n.inputs().get(i);
            if (!s.isEmpty()) {
                in[i] = known.get(s);
                if (in[i] == null) {
                    return null;
                }
                inBytes += (long) in[i].size() * in[i].dtype().bytes;
            }
        }
        for (String o : n.outputs()) {
            TensorType t = o.isEmpty() ? null : types.get(o);
            if (t != null && t.shape().isStatic() && t.shape().size() > SMALL && t.shape().size() * t.dtype().bytes > inBytes) {
                return null;
            }
        }
        try {
            Tensor[] out = GraphRunner.runNode(n, in);
            for (int i = 0; i < n.outputs().size(); i++) {
                if (!n.outputs().get(i).isEmpty() && out[i] == null) {
                    return null;
                }
            }
            return out;
        } catch (RuntimeException e) {
            return null; // left for run time, where the error is reported with the real inputs
        }
    }
}
