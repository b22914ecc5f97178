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
 * Shape chains of exporters (Shape -> Gather/Slice -> Concat -> Reshape) fold even when the
 * batch dimension is unknown, as long as the folded value does not depend on an unknown
 * dimension: Shape's result is tracked as a partial vector (unknown entries -1) through Gather,
 * Slice, Concat and Unsqueeze, and becomes a constant once every entry needed is known.
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
        Map<String, long[]> partial = new HashMap<>();
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
        for (Node n : order) {
            Tensor[] out = null;
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
                        out = evaluate(types, n, known, partial);
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

    private static Tensor[] evaluate(Map<String, TensorType> types, Node n, Map<String, Tensor> known,
            Map<String, long[]> partial) {
        boolean[] scalar = {false};
        long[] sym = symbolic(types, n, known, partial, scalar);
        if (sym != null) {
            for (long d : sym) {
                if (d < 0) {
                    if (!scalar[0]) {
                        partial.put(n.output(0), sym);
                    }
                    return null;
                }
            }
            return new Tensor[] {scalar[0] ? Tensor.ofLongs(Shape.scalar(), sym[0]) : Tensor.ofLongs(Shape.of(sym.length), sym)};
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

    /** The partial int64 vector a shape-arithmetic node produces, or null when it is not one. */
    private static long[] symbolic(Map<String, TensorType> types, Node n, Map<String, Tensor> known, Map<String, long[]> partial,
            boolean[] scalar) {
        switch (n.opType()) {
            case "Shape" -> {
                TensorType t = types.get(n.input(0));
                if (t == null) {
                    return null;
                }
                int[] dims = t.shape().dims();
                int r = dims.length;
                int start = clampAxis(n.attributes().getInt("start", 0), r);
                int end = clampAxis(n.attributes().getInt("end", r), r);
                long[] v = new long[Math.max(0, end - start)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = dims[start + i];
                }
                return v;
            }
            case "Gather" -> {
                long[] data = partial.get(n.input(0));
                Tensor idx = known.get(n.input(1));
                if (data == null || idx == null || idx.shape().rank() > 1 || n.attributes().getInt("axis", 0) != 0) {
                    return null;
                }
                long[] v = new long[idx.size()];
                for (int i = 0; i < v.length; i++) {
                    long k = idx.getLong(i);
                    k = k < 0 ? k + data.length : k;
                    if (k < 0 || k >= data.length) {
                        return null;
                    }
                    v[i] = data[(int) k];
                }
                scalar[0] = idx.shape().rank() == 0;
                return v;
            }
            case "Slice" -> {
                long[] data = partial.get(n.input(0));
                Tensor starts = known.get(n.input(1));
                Tensor ends = known.get(n.input(2));
                if (data == null || starts == null || ends == null || starts.size() != 1 || ends.size() != 1
                        || (!n.input(3).isEmpty() && !isZero(known.get(n.input(3))))
                        || (!n.input(4).isEmpty() && !isOne(known.get(n.input(4))))) {
                    return null;
                }
                int s = clampAxis(starts.getLong(0), data.length);
                int e = clampAxis(ends.getLong(0), data.length);
                long[] v = new long[Math.max(0, e - s)];
                System.arraycopy(data, s, v, 0, v.length);
                return v;
            }
            case "Concat" -> {
                List<Long> all = new ArrayList<>();
                boolean anyPartial = false;
                for (String s : n.inputs()) {
                    long[] p = partial.get(s);
                    Tensor k = known.get(s);
                    if (p != null) {
                        anyPartial = true;
                        for (long d : p) {
                            all.add(d);
                        }
                    } else if (k != null && k.shape().rank() == 1) {
                        for (int i = 0; i < k.size(); i++) {
                            all.add(k.getLong(i));
                        }
                    } else {
                        return null;
                    }
                }
                if (!anyPartial) {
                    return null;
                }
                // -1 inside a Reshape target is legal, but here it stands for "unknown": keep it partial
                return all.stream().mapToLong(Long::longValue).toArray();
            }
            default -> {
                return null;
            }
        }
    }

    private static boolean isZero(Tensor t) {
        return t != null && t.size() == 1 && t.getLong(0) == 0;
    }

    private static boolean isOne(Tensor t) {
        return t != null && t.size() == 1 && t.getLong(0) == 1;
    }

    private static int clampAxis(long a, int rank) {
        long v = a < 0 ? a + rank : a;
        return (int) Math.max(0, Math.min(rank, v));
    }
}
