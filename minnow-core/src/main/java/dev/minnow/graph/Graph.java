package dev.minnow.graph;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model: graph inputs and outputs, nodes in topological order, initializers (weights
 * and other constants) and the inferred type of every value. Every part of Minnow reads
 * and rewrites this one structure (ARCHITECTURE.md). After any edit, call {@link #validate()}.
 */
public final class Graph {
    private String name;
    private final List<Value> inputs = new ArrayList<>();
    private final List<Value> outputs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final Map<String, TensorType> types = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public Graph(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** Initializers by name, in insertion order. The map is live: rewrites may put and remove. */
    public Map<String, Tensor> initializers() {
        return initializers;
    }

    /** Free-form provenance (how the model was made); exported as ONNX metadata_props. */
    public Map<String, String> metadata() {
        return metadata;
    }

    public void addInput(Value v) {
        inputs.add(v);
    }

    public void addOutput(Value v) {
        outputs.add(v);
    }

    public void setInputs(List<Value> vs) {
        inputs.clear();
        inputs.addAll(vs);
    }

    public void setOutputs(List<Value> vs) {
        outputs.clear();
        outputs.addAll(vs);
    }

    public void addNode(Node n) {
        nodes.add(n);
    }

    public void setNodes(List<Node> ns) {
        nodes.clear();
        nodes.addAll(ns);
    }

    public void addInitializer(String valueName, Tensor t) {
        initializers.put(valueName, t);
    }

    /** Inferred type of a value (after validate), or null if unknown. */
    public TensorType type(String valueName) {
        return types.get(valueName);
    }

    public Map<String, TensorType> types() {
        return Collections.unmodifiableMap(types);
    }

    public Node producer(String valueName) {
        for (Node n : nodes) {
            if (n.outputs().contains(valueName)) {
                return n;
            }
        }
        return null;
    }

    public List<Node> consumers(String valueName) {
        List<Node> r = new ArrayList<>();
        for (Node n : nodes) {
            if (n.inputs().contains(valueName)) {
                r.add(n);
            }
        }
        return r;
    }

    /** Float32 initializers: the trainable parameters (those that receive a gradient are trained). */
    public Map<String, Tensor> floatInitializers() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        initializers.forEach((k, v) -> {
            if (v.dtype() == DType.FLOAT32) {
                r.put(k, v);
            }
        });
        return r;
    }

    /** Total elements of all initializers. */
    public long paramCount() {
        long n = 0;
        for (Tensor t : initializers.values()) {
            n += t.size();
        }
        return n;
    }

    /** Sum of every node's MACs for the inferred (static) shapes; unknown batch counts as 1. */
    public long macs() {
        long m = 0;
        for (Node n : nodes) {
            m += nodeMacs(n);
        }
        return m;
    }

    public long nodeMacs(Node n) {
        List<TensorType> in = new ArrayList<>();
        for (String s : n.inputs()) {
            in.add(s.isEmpty() ? null : batchOne(types.get(s)));
        }
        List<TensorType> out = new ArrayList<>();
        for (String s : n.outputs()) {
            out.add(batchOne(types.get(s)));
        }
        if (out.contains(null)) {
            return 0;
        }
        return n.op().macs(in, out);
    }

    private static TensorType batchOne(TensorType t) {
        if (t == null || t.shape().isStatic()) {
            return t;
        }
        int[] d = t.shape().dims();
        for (int i = 0; i < d.length; i++) {
            if (d[i] < 0) {
                d[i] = 1;
            }
        }
        return new TensorType(t.dtype(), dev.minnow.tensor.Shape.of(d));
    }

    /**
     * Checks the graph and infers every value's type: every input is defined (graph input,
     * initializer or earlier output), no value is produced twice, no cycle. Nodes out of
     * topological order are re-ordered. Throws InvalidInputException / ShapeException naming
     * the node at fault.
     */
    public Graph validate() {
        sortTopologically();
        types.clear();
        for (Value v : inputs) {
            types.put(v.name(), v.type());
        }
        for (Map.Entry<String, Tensor> e : initializers.entrySet()) {
            types.put(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
        }
        for (Node n : nodes) {
            List<TensorType> in = new ArrayList<>();
            List<Tensor> consts = new ArrayList<>();
            for (String s : n.inputs()) {
                if (s.isEmpty()) {
                    in.add(null);
                    consts.add(null);
                    continue;
                }
                TensorType t = types.get(s);
                if (t == null) {
                    throw new InvalidInputException("node '" + n.name() + "' (" + n.opType() + ") reads '" + s
                            + "', which is not a graph input, an initializer or the output of an earlier node");
                }
                in.add(t);
                consts.add(initializers.get(s));
            }
            List<TensorType> out;
            try {
                out = n.op().inferTypes(in, consts);
            } catch (ShapeException e) {
                throw new ShapeException("node '" + n.name() + "' (" + n.opType() + "): " + e.getMessage());
            }
            if (out.size() < n.outputs().size()) {
                throw new ShapeException("node '" + n.name() + "' (" + n.opType() + ") declares " + n.outputs().size()
                        + " outputs but the op produces " + out.size());
            }
            for (int i = 0; i < n.outputs().size(); i++) {
                String o = n.outputs().get(i);
                if (o.isEmpty()) {
                    continue;
                }
                if (types.containsKey(o)) {
                    throw new InvalidInputException("value '" + o + "' is produced twice (again by node '" + n.name() + "')");
                }
                types.put(o, out.get(i));
            }
        }
        for (Value v : outputs) {
            if (!types.containsKey(v.name())) {
                throw new InvalidInputException("graph output '" + v.name() + "' is not produced by any node");
            }
        }
        return this;
    }

    private void sortTopologically() {
        Set<String> available = new HashSet<>();
        inputs.forEach(v -> available.add(v.name()));
        available.addAll(initializers.keySet());
        available.add("");
        Map<String, Node> producerOf = new HashMap<>();
        for (Node n : nodes) {
            for (String o : n.outputs()) {
                producerOf.put(o, n);
            }
        }
        List<Node> sorted = new ArrayList<>(nodes.size());
        Set<Node> done = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        Set<Node> onStack = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node root : nodes) {
            if (done.contains(root)) {
                continue;
            }
            // iterative DFS so that deep graphs do not overflow the stack
            ArrayDeque<Object[]> stack = new ArrayDeque<>();
            stack.push(new Object[] {root, 0});
            onStack.add(root);
            while (!stack.isEmpty()) {
                Object[] top = stack.peek();
                Node n = (Node) top[0];
                int i = (Integer) top[1];
                if (i < n.inputs().size()) {
                    top[1] = i + 1;
                    String in = n.inputs().get(i);
                    Node p = available.contains(in) ? null : producerOf.get(in);
                    if (p != null && !done.contains(p)) {
                        if (onStack.contains(p)) {
                            throw new InvalidInputException("the graph has a cycle through node '" + p.name() + "' (" + p.opType() + ")");
                        }
                        onStack.add(p);
                        stack.push(new Object[] {p, 0});
                    }
                } else {
                    stack.pop();
                    onStack.remove(n);
                    done.add(n);
                    sorted.add(n);
                }
            }
        }
        nodes.clear();
        nodes.addAll(sorted);
    }

    /** Deep copy: new node list, copied initializers (ops are shared; they are immutable). */
    public Graph copy() {
        Graph g = new Graph(name);
        g.inputs.addAll(inputs);
        g.outputs.addAll(outputs);
        g.nodes.addAll(nodes);
        initializers.forEach((k, v) -> g.initializers.put(k, v.copy()));
        g.types.putAll(types);
        g.metadata.putAll(metadata);
        return g;
    }
}
