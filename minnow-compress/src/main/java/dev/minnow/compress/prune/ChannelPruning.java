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
 * the analysed channel counts).
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
        for (Map.Entry<String, TreeSet<Integer>> r : removedChannels.entrySet()) {
            TensorTypeCheck.require(e, r.getKey(), deps.channelsOf(r.getKey()));
            if (r.getValue().size() >= deps.channelsOf(r.getKey())) {
                throw new InvalidInputException("pruning would remove every channel of '" + r.getKey()
                        + "'; keep at least one channel per layer (lower the sparsity of its group)");
            }
        }
        removedIndices.forEach((name, byAxis) -> {
            Tensor t = e.initializer(name);
            for (Map.Entry<Integer, TreeSet<Integer>> a : byAxis.entrySet()) {
                t = without(t, a.getKey(), a.getValue(), name);
            }
            e.replaceInitializer(name, t);
        });
        for (Node n : deps.resizedNodes()) {
            resize(e, n, removedChannels);
        }
        e.commit();
        long paramsAfter = 0;
        for (Tensor t : e.graph().initializers().values()) {
            paramsAfter += t.size();
        }
        record.count("params_before", paramsBefore).count("params_after", paramsAfter);
        return record.build();
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
