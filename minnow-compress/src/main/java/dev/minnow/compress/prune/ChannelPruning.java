package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Removes channel classes from a graph, so the result is a smaller dense graph: each removed
 * class drops its weight rows, weight columns, bias entries, batch-norm entries and Gemm columns
 * at every place the {@link ChannelDependencies} bound to it, and the depthwise convolutions and
 * Splits on the way get their new channel counts. The classes must come from an analysis of the
 * same graph the pass is applied to (the pass checks that each class's values still exist with
 * the analysed channel counts). Removing every channel of a residual block's inner group removes
 * the block: its convolutions go and the Add that bypassed it adds their constant output.
 */
public final class ChannelPruning implements GraphPass {
    private final ChannelDependencies deps;
    private final Set<Integer> removedRoots = new HashSet<>();

    /** Prunes the given classes (each must be removable). */
    public ChannelPruning(ChannelDependencies deps, List<ChannelClass> remove) {
        this.deps = deps;
        for (ChannelClass c : remove) {
            if (!c.removable()) {
                throw new InvalidInputException("channel " + c.slots().get(0) + " cannot be pruned: " + c.blockedBy());
            }
            removedRoots.add(c.root());
        }
    }

    @Override
    public String name() {
        return "channel-pruning";
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder record = PassRecord.of(name());
        long paramsBefore = 0;
        for (Tensor t : e.graph().initializers().values()) {
            paramsBefore += t.size();
        }
        // channels removed per value, and indices removed per (initializer, axis)
        Map<String, TreeSet<Integer>> removedChannels = new LinkedHashMap<>();
        Map<String, Map<Integer, TreeSet<Integer>>> removedIndices = new LinkedHashMap<>();
        for (ChannelGroup g : deps.groups()) {
            int removedHere = 0;
            for (ChannelClass c : g.classes()) {
                if (!removedRoots.contains(c.root())) {
                    continue;
                }
                removedHere++;
                for (ChannelDependencies.Slot s : c.slots()) {
                    removedChannels.computeIfAbsent(s.value(), k -> new TreeSet<>()).add(s.channel());
                }
                for (ChannelDependencies.Binding b : c.bindings()) {
                    removedIndices.computeIfAbsent(b.initializer(), k -> new HashMap<>())
                            .computeIfAbsent(b.axis(), k -> new TreeSet<>()).add(b.index());
                }
            }
            if (removedHere > 0) {
                record.count("channels_removed", removedHere).change(g.name() + ": " + removedHere + " of "
                        + g.size() + " channels removed");
            }
        }
        Set<String> emptied = new HashSet<>();
        for (Map.Entry<String, TreeSet<Integer>> r : removedChannels.entrySet()) {
            TensorTypeCheck.require(e, r.getKey(), deps.channelsOf(r.getKey()));
            if (r.getValue().size() >= deps.channelsOf(r.getKey())) {
                emptied.add(r.getKey());
            }
        }
        List<Node> collapsed = collapsedReaders(e, emptied);
        removedIndices.forEach((name, byAxis) -> {
            Tensor t = e.initializer(name);
            for (Map.Entry<Integer, TreeSet<Integer>> a : byAxis.entrySet()) {
                if (a.getValue().size() >= t.shape().dim(a.getKey())) {
                    continue; // an emptied branch: its nodes are removed below, not cut to nothing
                }
                t = without(t, a.getKey(), a.getValue(), name);
            }
            e.replaceInitializer(name, t);
        });
        for (Node n : deps.resizedNodes()) {
            if (!emptied.contains(n.output(0))) {
                resize(e, n, removedChannels);
            }
        }
        for (Node c : collapsed) {
            record.change(collapse(e, findByName(e, c.name())));
        }
        if (!collapsed.isEmpty()) {
            e.removeUnused();
            record.count("branches_removed", collapsed.size());
        }
        e.commit();
        long paramsAfter = 0;
        for (Tensor t : e.graph().initializers().values()) {
            paramsAfter += t.size();
        }
        record.count("params_before", paramsBefore).count("params_after", paramsAfter);
        return record.build();
    }

    /**
     * The convolutions that read a value losing every channel. That is allowed only for a branch
     * whose end an Add bypasses (a residual block's inner channels): the values inside the group
     * go with their nodes, and each convolution reading them becomes a constant (its bias) that
     * {@link #collapse} folds into the Add. Anything else reading an emptied value is refused.
     */
    private static List<Node> collapsedReaders(GraphEditor e, Set<String> emptied) {
        List<Node> r = new ArrayList<>();
        for (String v : emptied) {
            String why = e.isGraphOutput(v) ? "it is a graph output" : null;
            for (Node n : why == null ? e.readers(v) : List.<Node>of()) {
                boolean inside = n.outputs().stream().allMatch(o -> o.isEmpty() || emptied.contains(o));
                if (inside) {
                    continue;
                }
                if (n.opType().equals("Conv") && n.input(0).equals(v) && n.attributes().getInt("group", 1) == 1) {
                    if (!r.contains(n)) {
                        r.add(n);
                    }
                    continue;
                }
                why = "'" + n.name() + "' (" + n.opType() + ") reads it";
                break;
            }
            if (why != null) {
                throw new InvalidInputException("pruning would remove every channel of '" + v + "' and " + why
                        + "; keep at least one channel per layer (lower the sparsity of its group). Only a residual"
                        + " branch, whose output an Add bypasses, can be removed whole");
            }
        }
        return r;
    }

    /**
     * Replaces a convolution whose input lost every channel by its constant output (the bias),
     * folded through the batch norm, ReLU or identity that follow it alone, into the Add that
     * bypasses the branch. Returns a line for the record.
     */
    private static String collapse(GraphEditor e, Node conv) {
        Tensor w = e.initializer(conv.input(1));
        int cout = w.shape().dim(0);
        float[] c = new float[cout];
        if (conv.inputs().size() > 2 && !conv.input(2).isEmpty()) {
            System.arraycopy(e.initializer(conv.input(2)).floats(), 0, c, 0, cout);
        }
        e.removeNode(conv);
        String value = conv.output(0);
        List<String> folded = new ArrayList<>();
        while (true) {
            List<Node> rs = e.readers(value);
            if (rs.size() != 1 || e.isGraphOutput(value) || !rs.get(0).input(0).equals(value)
                    || rs.get(0).outputs().size() != 1) {
                break;
            }
            Node n = rs.get(0);
            switch (n.opType()) {
                case "BatchNormalization" -> {
                    float[] scale = e.initializer(n.input(1)).floats();
                    float[] shift = e.initializer(n.input(2)).floats();
                    float[] mean = e.initializer(n.input(3)).floats();
                    float[] var = e.initializer(n.input(4)).floats();
                    double eps = n.attributes().getFloat("epsilon", 1e-5);
                    for (int i = 0; i < cout; i++) {
                        c[i] = (float) (scale[i] * (c[i] - mean[i]) / Math.sqrt(var[i] + eps) + shift[i]);
                    }
                }
                case "Relu" -> {
                    for (int i = 0; i < cout; i++) {
                        c[i] = Math.max(0, c[i]);
                    }
                }
                case "Identity", "Dropout" -> {
                }
                default -> {
                    n = null;
                }
            }
            if (n == null) {
                break;
            }
            folded.add(n.opType());
            e.removeNode(n);
            value = n.output(0);
        }
        for (Node r : e.readers(value)) {
            if (!(r.opType().equals("Add") || r.opType().equals("Sum")) || r.inputs().stream().allMatch(value::equals)) {
                throw new InvalidInputException("removing every channel that '" + conv.name() + "' reads would make '"
                        + value + "' constant, and '" + r.name() + "' (" + r.opType() + ") is no residual Add that"
                        + " bypasses it; lower the sparsity of that group below 1");
            }
        }
        if (e.isGraphOutput(value)) {
            throw new InvalidInputException("removing every channel that '" + conv.name() + "' reads would make the"
                    + " graph output '" + value + "' constant; lower the sparsity of that group below 1");
        }
        String name = e.addInitializer(conv.name() + "_removed_branch", Tensor.of(Shape.of(1, cout, 1, 1), c));
        e.rewireReaders(value, name);
        return "'" + conv.name() + "' read no channel left: its branch is removed and its constant output"
                + (folded.isEmpty() ? "" : " (through " + String.join(", ", folded) + ")") + " is added instead";
    }

    /** New channel counts for a depthwise convolution's group and a Split's sizes. */
    private void resize(GraphEditor e, Node n, Map<String, TreeSet<Integer>> removed) {
        Node current = findByName(e, n.name());
        if (n.opType().equals("Conv")) {
            int c = deps.channelsOf(n.input(0)) - removed.getOrDefault(n.input(0), new TreeSet<>()).size();
            replaceAttributes(e, current, copy(current.attributes()).set("group", (long) c));
            return;
        }
        long[] sizes = new long[n.outputs().size()];
        for (int k = 0; k < sizes.length; k++) {
            String o = n.output(k);
            sizes[k] = deps.channelsOf(o) - removed.getOrDefault(o, new TreeSet<>()).size();
        }
        boolean touched = removed.keySet().stream().anyMatch(n.outputs()::contains) || removed.containsKey(n.input(0));
        if (!touched) {
            return;
        }
        if (!n.input(1).isEmpty()) {
            e.replaceInitializer(n.input(1), Tensor.ofLongs(Shape.of(sizes.length), sizes));
        } else if (current.attributes().getInt("_opset", 17) < 13) {
            replaceAttributes(e, current, copy(current.attributes()).set("split", sizes));
        } else {
            // opset 13+: sizes are an input
            String name = e.addInitializer(n.name() + "_split", Tensor.ofLongs(Shape.of(sizes.length), sizes));
            Attributes a = copy(current.attributes());
            Node withSizes = new Node(current.name(), current.domain(), OpRegistry.global().create(n.opType(), a),
                    List.of(current.input(0), name), current.outputs());
            e.replaceNode(current, withSizes);
        }
    }

    private static Node findByName(GraphEditor e, String name) {
        for (Node n : e.graph().nodes()) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        throw new IllegalStateException("node '" + name + "' disappeared during pruning");
    }

    private static Attributes copy(Attributes a) {
        return new Attributes(a.asMap());
    }

    private static void replaceAttributes(GraphEditor e, Node n, Attributes a) {
        e.replaceNode(n, n.withOp(OpRegistry.global().create(n.opType(), a)));
    }

    /** A copy of t without the given indices along axis. */
    static Tensor without(Tensor t, int axis, TreeSet<Integer> drop, String name) {
        if (t.dtype() != DType.FLOAT32) {
            throw new InvalidInputException("cannot prune '" + name + "': it is " + t.dtype().label + ", not float32");
        }
        int[] d = t.shape().dims();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= d[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        int n = d[axis];
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!drop.contains(i)) {
                keep.add(i);
            }
        }
        float[] src = t.floats();
        float[] dst = new float[outer * keep.size() * inner];
        int o = 0;
        for (int a = 0; a < outer; a++) {
            for (int k : keep) {
                System.arraycopy(src, (a * n + k) * inner, dst, o, inner);
                o += inner;
            }
        }
        d[axis] = keep.size();
        return Tensor.wrap(DType.FLOAT32, Shape.of(d), dst);
    }

    /** Guards against applying an analysis to another graph than the one it was made from. */
    private static final class TensorTypeCheck {
        static void require(GraphEditor e, String value, int channels) {
            var t = e.type(value);
            if (t == null || t.shape().rank() < 2 || t.shape().dim(1) != channels) {
                throw new IllegalStateException("the channel analysis does not match this graph at '" + value
                        + "': analyse the graph that is pruned");
            }
        }
    }
}
