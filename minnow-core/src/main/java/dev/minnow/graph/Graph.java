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
    private final Map<String, Tensor> initializers = new TrackedMap();
    private final Map<String, TensorType> types = new HashMap<>();
    /** Bumped by every structural edit; types and the producer/reader index belong to one version. */
    private long version;
    private long validatedVersion = -1;
    private long indexedVersion = -1;
    private final Map<String, Node> producerIndex = new HashMap<>();
    private final Map<String, List<Node>> readerIndex = new HashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public Graph(String name) {
        this.name = name;
    }

    /** Initializer map whose edits count as edits of the graph (types must be inferred again). */
    private final class TrackedMap extends LinkedHashMap<String, Tensor> {
        @Override
        public Tensor put(String k, Tensor v) {
            version++;
            return super.put(k, v);
        }

        @Override
        public Tensor remove(Object k) {
            version++;
            return super.remove(k);
        }

        @Override
        public void clear() {
            version++;
            super.clear();
        }

        @Override
        public java.util.Set<String> keySet() {
            version++; // keySet().removeIf(...) edits the map
            return super.keySet();
        }

        @Override
        public java.util.Set<Map.Entry<String, Tensor>> entrySet() {
            version++; // entries may be set through the view
            return super.entrySet();
        }

        @Override
        public java.util.Collection<Tensor> values() {
            version++;
            return super.values();
        }

        @Override
        public void putAll(Map<? extends String, ? extends Tensor> m) {
            version++;
            super.putAll(m);
        }

        @Override
        public Tensor putIfAbsent(String k, Tensor v) {
            version++;
            return super.putIfAbsent(k, v);
        }

        @Override
        public Tensor computeIfAbsent(String k, java.util.function.Function<? super String, ? extends Tensor> f) {
            version++;
            return super.computeIfAbsent(k, f);
        }

        @Override
        public Tensor replace(String k, Tensor v) {
            version++;
            return super.replace(k, v);
        }
    }

    /** Whether {@link #types()} describe the graph as it is now (no edit since the last {@link #validate()}). */
    public boolean isValidated() {
        return validatedVersion == version;
    }

    /** Marks the graph as edited (for callers that change a node list or tensor shape behind its back). */
    public void touch() {
        version++;
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
        version++;
        inputs.add(v);
    }

    public void addOutput(Value v) {
        version++;
        outputs.add(v);
    }

    public void setInputs(List<Value> vs) {
        version++;
        inputs.clear();
        inputs.addAll(vs);
    }

    public void setOutputs(List<Value> vs) {
        version++;
        outputs.clear();
        outputs.addAll(vs);
    }

    public void addNode(Node n) {
        version++;
        nodes.add(n);
    }

    public void setNodes(List<Node> ns) {
        version++;
        nodes.clear();
        nodes.addAll(ns);
    }

    public void addInitializer(String valueName, Tensor t) {
        version++;
        initializers.put(valueName, t);
    }

    /** Inferred type of a value (after validate), or null if unknown. */
    public TensorType type(String valueName) {
        return types.get(valueName);
    }

    public Map<String, TensorType> types() {
        return Collections.unmodifiableMap(types);
    }

    /** The node that writes a value, or null (graph input, initializer, unknown). Indexed, not a scan. */
    public Node producer(String valueName) {
        index();
        return producerIndex.get(valueName);
    }

    /** The nodes that read a value, in node order (a node reading it twice appears once). */
    public List<Node> consumers(String valueName) {
        index();
        List<Node> r = readerIndex.get(valueName);
        return r == null ? List.of() : Collections.unmodifiableList(r);
    }

    private void index() {
        if (indexedVersion == version) {
            return;
        }
        producerIndex.clear();
        readerIndex.clear();
        for (Node n : nodes) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    producerIndex.putIfAbsent(o, n);
                }
            }
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    List<Node> r = readerIndex.computeIfAbsent(in, k -> new ArrayList<>());
                    if (r.isEmpty() || r.get(r.size() - 1) != n) {
                        r.add(n);
                    }
                }
            }
        }
        indexedVersion = version;
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

    /** This node's {@link OpCost} (MACs, params, bytes read and written) at batch 1; see {@link CostModel}. */
    public OpCost nodeCost(Node n) {
        return CostModel.nodeCost(this, n);
    }

    static TensorType batchOne(TensorType t) {
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
        validatedVersion = version;
        return this;
    }

    /**
     * Puts the nodes in topological order without inferring types (a value nobody produces is
     * taken as given); throws InvalidInputException on a cycle. {@link #validate()} starts with it.
     */
    void sortTopologically() {
        Set<String> available = new HashSet<>();
        inputs.forEach(v -> available.add(v.name()));
        initializers.forEach((k, v) -> available.add(k)); // not keySet(): that counts as an edit
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
        if (!sorted.equals(nodes)) {
            nodes.clear();
            nodes.addAll(sorted);
            version++;
        }
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
        if (isValidated()) {
            g.validatedVersion = g.version;
        }
        return g;
    }
}
