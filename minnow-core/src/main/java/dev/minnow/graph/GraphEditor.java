package dev.minnow.graph;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one way passes change a graph's structure: look-ups through the graph's producer and
 * reader indexes, fresh names, initializer replacement, node insertion, removal and rewiring,
 * removal of what no output needs, and re-validation. Types read through the editor are never
 * stale: after an edit, {@link #type} infers them again before answering.
 *
 * <pre>
 * GraphEditor e = new GraphEditor(graph);
 * Node relu = e.insertAfter(conv.output(0), "relu", new UnaryOps.Relu());  // conv's readers now read relu
 * e.replaceInitializer(conv.input(1), prunedWeights);
 * e.removeUnused();
 * e.commit();                                                              // validates
 * </pre>
 *
 * Editing is in place on the graph given; a {@link dev.minnow.graph.pass.GraphPass} works on a copy.
 */
public final class GraphEditor {
    private final Graph graph;

    public GraphEditor(Graph graph) {
        this.graph = graph;
    }

    public Graph graph() {
        return graph;
    }

    // ---- look-ups ---------------------------------------------------------------------------

    /** The node writing value, or null for a graph input, an initializer or an unknown name. */
    public Node producer(String value) {
        return graph.producer(value);
    }

    /** The nodes reading value (each once), in node order. */
    public List<Node> readers(String value) {
        return graph.consumers(value);
    }

    /** Whether value is read by exactly this node (once, at any input) and is no graph output. */
    public boolean soleReader(String value, Node reader) {
        List<Node> r = readers(value);
        return r.size() == 1 && r.get(0) == reader && !isGraphOutput(value);
    }

    /** Whether value's only use is as input {@code index} of reader (so the reader may own its storage). */
    public boolean soleUse(String value, Node reader, int index) {
        return soleReader(value, reader) && reader.inputs().indexOf(value) == index
                && reader.inputs().lastIndexOf(value) == index;
    }

    public boolean isGraphOutput(String value) {
        for (Value v : graph.outputs()) {
            if (v.name().equals(value)) {
                return true;
            }
        }
        return false;
    }

    public boolean isGraphInput(String value) {
        for (Value v : graph.inputs()) {
            if (v.name().equals(value)) {
                return true;
            }
        }
        return false;
    }

    /** Whether none of node's outputs past the first is read or is a graph output. */
    public boolean onlyFirstOutputUsed(Node node) {
        for (int o = 1; o < node.outputs().size(); o++) {
            String name = node.output(o);
            if (!name.isEmpty() && (isGraphOutput(name) || !readers(name).isEmpty())) {
                return false;
            }
        }
        return true;
    }

    public Tensor initializer(String value) {
        return graph.initializers().get(value);
    }

    /** The initializers' names in order, as a snapshot (reading it is no edit, unlike the map's keySet()). */
    public List<String> initializerNames() {
        List<String> names = new ArrayList<>(graph.initializers().size());
        graph.initializers().forEach((k, v) -> names.add(k));
        return names;
    }

    /** The value's type for the graph as it is now (validating again after edits). */
    public TensorType type(String value) {
        if (!graph.isValidated()) {
            graph.validate();
        }
        return graph.type(value);
    }

    /** A value or node name not used yet in the graph: base, else base_2, base_3, ... */
    public String freshName(String base) {
        Set<String> used = usedNames();
        if (!used.contains(base)) {
            return base;
        }
        for (int k = 2; ; k++) {
            String n = base + "_" + k;
            if (!used.contains(n)) {
                return n;
            }
        }
    }

    private Set<String> usedNames() {
        Set<String> used = new HashSet<>(initializerNames());
        graph.inputs().forEach(v -> used.add(v.name()));
        graph.outputs().forEach(v -> used.add(v.name()));
        for (Node n : graph.nodes()) {
            used.add(n.name());
            used.addAll(n.inputs());
            used.addAll(n.outputs());
        }
        return used;
    }

    // ---- edits ------------------------------------------------------------------------------

    /** Replaces an existing initializer's tensor (a pruned or folded weight); the shape may change. */
    public void replaceInitializer(String name, Tensor t) {
        if (!graph.initializers().containsKey(name)) {
            throw new InvalidInputException("no initializer '" + name + "' to replace");
        }
        graph.initializers().put(name, t);
    }

    /** Adds an initializer under a fresh name derived from base; returns the name. */
    public String addInitializer(String base, Tensor t) {
        String name = freshName(base);
        graph.addInitializer(name, t);
        return name;
    }

    /** Appends a node (validation puts it in topological order). Its name must be new. */
    public Node addNode(Node n) {
        graph.addNode(n);
        return n;
    }

    /** Adds a node with a fresh name and fresh output names derived from its name. */
    public Node addNode(String baseName, Op op, List<String> inputs, int outputCount) {
        String name = freshName(baseName);
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            outs.add(freshName(outputCount == 1 ? name + "_out" : name + "_out" + i)); // distinct suffixes
        }
        return addNode(new Node(name, op, inputs, outs));
    }

    /**
     * Removes node and makes each of its outputs an initializer of the same name holding the
     * corresponding tensor, so its readers need no rewiring (constant folding). Empty output
     * names are skipped; {@code values} has one tensor per output.
     */
    public void replaceByConstants(Node node, List<Tensor> values) {
        if (values.size() != node.outputs().size()) {
            throw new IllegalArgumentException("node '" + node.name() + "' has " + node.outputs().size()
                    + " outputs but " + values.size() + " constants were given");
        }
        for (String o : node.outputs()) {
            if (!o.isEmpty() && (graph.initializers().containsKey(o) || isGraphInput(o))) {
                throw new InvalidInputException("value '" + o + "' of node '" + node.name()
                        + "' is already an initializer or a graph input");
            }
        }
        removeNode(node);
        for (int i = 0; i < values.size(); i++) {
            if (!node.output(i).isEmpty()) {
                graph.addInitializer(node.output(i), values.get(i));
            }
        }
    }

    /** Changes the declared type of the graph input named value (a layout or element-type change). */
    public void setInputType(String value, TensorType type) {
        graph.setInputs(retyped(graph.inputs(), value, type, "input"));
    }

    /** Changes the declared type of the graph output named value. */
    public void setOutputType(String value, TensorType type) {
        graph.setOutputs(retyped(graph.outputs(), value, type, "output"));
    }

    private static List<Value> retyped(List<Value> values, String name, TensorType type, String what) {
        List<Value> r = new ArrayList<>(values);
        boolean found = false;
        for (int i = 0; i < r.size(); i++) {
            if (r.get(i).name().equals(name)) {
                r.set(i, new Value(name, type));
                found = true;
            }
        }
        if (!found) {
            throw new InvalidInputException("no graph " + what + " '" + name + "' to retype");
        }
        return r;
    }

    /**
     * Puts the nodes in topological order without inferring types, for passes that run before
     * the graph validates (constant folding computes the constants a Reshape needs). A value no
     * node produces is taken as given; a cycle throws InvalidInputException.
     */
    public void sortNodes() {
        graph.sortTopologically();
    }

    /** Replaces node with another in the same place (same identity in the list). */
    public void replaceNode(Node old, Node replacement) {
        List<Node> ns = new ArrayList<>(graph.nodes());
        int i = indexOf(ns, old);
        ns.set(i, replacement);
        graph.setNodes(ns);
    }

    public void removeNode(Node node) {
        List<Node> ns = new ArrayList<>(graph.nodes());
        ns.remove(indexOf(ns, node));
        graph.setNodes(ns);
    }

    /**
     * Removes node and lets the readers of its output {@code output} read {@code replacement}
     * instead (a node that became the identity: a folded BN, a no-op Dropout).
     */
    public void bypass(Node node, int output, String replacement) {
        removeNode(node);
        rewireReaders(node.output(output), replacement);
    }

    /**
     * Every reader of {@code from} reads {@code to} instead, except the nodes in {@code except};
     * a graph output named {@code from} becomes {@code to} (its type is inferred again).
     */
    public void rewireReaders(String from, String to, Node... except) {
        Set<Node> skip = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        skip.addAll(List.of(except));
        List<Node> ns = new ArrayList<>(graph.nodes());
        boolean changed = false;
        for (int i = 0; i < ns.size(); i++) {
            Node n = ns.get(i);
            if (skip.contains(n) || !n.inputs().contains(from)) {
                continue;
            }
            List<String> in = new ArrayList<>(n.inputs());
            in.replaceAll(s -> s.equals(from) ? to : s);
            ns.set(i, n.withInputs(in));
            changed = true;
        }
        if (changed) {
            graph.setNodes(ns);
        }
        List<Value> outs = new ArrayList<>(graph.outputs());
        boolean outChanged = false;
        for (int i = 0; i < outs.size(); i++) {
            if (outs.get(i).name().equals(from)) {
                outs.set(i, new Value(to, outs.get(i).type()));
                outChanged = true;
            }
        }
        if (outChanged) {
            graph.setOutputs(outs);
        }
    }

    /**
     * Inserts {@code op} reading value (as its first input, followed by extraInputs) and moves
     * every other reader of value onto the new node's output. Used to place fake-quantize nodes,
     * observers and adapters. A graph output keeps its name: the new node then writes it, and
     * value's producer writes a fresh name instead. Returns the new node.
     */
    public Node insertAfter(String value, String baseName, Op op, String... extraInputs) {
        String name = freshName(baseName);
        if (isGraphOutput(value) && producer(value) != null) {
            String renamed = freshName(value + "_pre");
            Node p = producer(value);
            List<String> outs = new ArrayList<>(p.outputs());
            outs.replaceAll(s -> s.equals(value) ? renamed : s);
            replaceNode(p, new Node(p.name(), p.domain(), p.op(), p.inputs(), outs));
            rewireReadersOnly(value, renamed);
            List<String> in = new ArrayList<>(List.of(renamed));
            in.addAll(List.of(extraInputs));
            return addNode(new Node(name, op, in, List.of(value)));
        }
        List<String> in = new ArrayList<>(List.of(value));
        in.addAll(List.of(extraInputs));
        String out = freshName(name + "_out");
        rewireReadersOnly(value, out);
        return addNode(new Node(name, op, in, List.of(out)));
    }

    private void rewireReadersOnly(String from, String to) {
        List<Node> ns = new ArrayList<>(graph.nodes());
        for (int i = 0; i < ns.size(); i++) {
            Node n = ns.get(i);
            if (n.inputs().contains(from)) {
                List<String> in = new ArrayList<>(n.inputs());
                in.replaceAll(s -> s.equals(from) ? to : s);
                ns.set(i, n.withInputs(in));
            }
        }
        graph.setNodes(ns);
    }

    /**
     * Drops nodes that no graph output depends on, then initializers no node reads (graph inputs
     * and outputs stay: they are the interface). Returns how many nodes were removed.
     */
    public int removeUnused() {
        return removeUnused(n -> true);
    }

    /**
     * Like {@link #removeUnused()}, but only nodes {@code removable} accepts may go; the others
     * stay and keep what they read (a fusion drops the DequantizeLinear nodes it made unread and
     * nothing else). Returns how many nodes were removed.
     */
    public int removeUnused(java.util.function.Predicate<Node> removable) {
        Set<String> needed = new HashSet<>();
        graph.outputs().forEach(v -> needed.add(v.name()));
        List<Node> nodes = graph.nodes();
        boolean[] keep = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            if (!removable.test(nodes.get(i))) {
                keep[i] = true;
                for (String in : nodes.get(i).inputs()) {
                    if (!in.isEmpty()) {
                        needed.add(in);
                    }
                }
            }
        }
        // walk producers from the outputs (order-independent: the list may be unsorted mid-edit)
        java.util.ArrayDeque<String> work = new java.util.ArrayDeque<>(needed);
        Map<Node, Integer> position = new java.util.IdentityHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        while (!work.isEmpty()) {
            Node p = graph.producer(work.pop());
            if (p == null || keep[position.get(p)]) {
                continue;
            }
            keep[position.get(p)] = true;
            for (String in : p.inputs()) {
                if (!in.isEmpty() && needed.add(in)) {
                    work.push(in);
                }
            }
        }
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (keep[i]) {
                kept.add(nodes.get(i));
            }
        }
        int removed = nodes.size() - kept.size();
        if (removed > 0) {
            graph.setNodes(kept);
        }
        removeUnusedInitializers();
        return removed;
    }

    /** Drops initializers that no node reads and that are no graph input or output; returns how many. */
    public int removeUnusedInitializers() {
        Set<String> read = new HashSet<>();
        graph.nodes().forEach(n -> read.addAll(n.inputs()));
        graph.inputs().forEach(v -> read.add(v.name()));
        graph.outputs().forEach(v -> read.add(v.name()));
        List<String> unused = initializerNames().stream().filter(k -> !read.contains(k)).toList();
        unused.forEach(graph.initializers()::remove); // nothing unused: the graph stays validated
        return unused.size();
    }

    /** Validates (infers every type, sorts nodes) and returns the graph. */
    public Graph commit() {
        return graph.validate();
    }

    private static int indexOf(List<Node> ns, Node node) {
        for (int i = 0; i < ns.size(); i++) {
            if (ns.get(i) == node) {
                return i;
            }
        }
        throw new IllegalArgumentException("node '" + node.name() + "' is not in the graph");
    }
}
