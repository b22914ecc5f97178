package dev.minnow.compress.prune;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which channels of a graph must be removed together: the dependency graph that channel pruning
 * edits through (Torch-Pruning's DepGraph, over Minnow's {@link Graph}).
 *
 * <p>Every channel of every activation (axis 1 of an NCHW or [N, features] value) is a slot.
 * Ops tie slots together: an element-wise op ties its output channel c to its inputs' channel c
 * (so a residual Add ties both branches), Concat ties input channel c to output channel
 * offset + c, Split the reverse, a depthwise convolution its input channel to its output
 * channel, Flatten channel c to features c*HW .. c*HW+HW-1. A set of tied slots is one
 * {@link ChannelClass}: removing it removes each slot at once. Parameters are bound to slots: a
 * convolution's weight rows and bias to its output channels, its weight columns to its input
 * channels, batch norm's four vectors to its channels, a Gemm's columns to its input features.
 * Ops it does not understand, graph inputs and graph outputs block the slots they touch, with the
 * reason kept, so a group that cannot be pruned says why.
 *
 * <p>A {@link ChannelGroup} is the set of values whose channels are tied (one residual stream,
 * one conv's output through its BN and ReLU); its classes are the channels a pruner chooses from.
 */
public final class ChannelDependencies {
    /** Ops that map channel c of input 0 to channel c of output 0, element-wise in channel. */
    private static final Set<String> CHANNEL_WISE = Set.of("Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "Tanh",
            "HardSigmoid", "HardSwish", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Mish", "Gelu", "Identity",
            "Dropout", "Neg", "Abs", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool",
            "GlobalLpPool", "BatchNormalization", "InstanceNormalization", "Resize", "Upsample", "Erf", "Floor",
            "Ceil", "Round", "Sign", "ThresholdedRelu", "Shrink");
    /** Element-wise ops over several inputs with broadcasting. */
    private static final Set<String> ELEMENT_WISE = Set.of("Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean",
            "Pow");

    private final Graph graph;
    /** First slot of each value with channels; a value's slots are base .. base + channels - 1. */
    private final Map<String, Integer> base = new LinkedHashMap<>();
    private final Map<String, Integer> channels = new HashMap<>();
    private int[] parent;
    private String[] blocked;
    /** Parameter slices bound to slots, by slot. */
    private final List<List<Binding>> bindings = new ArrayList<>();
    /** Nodes whose attributes depend on channel counts (depthwise group, Split sizes). */
    private final List<Node> resized = new ArrayList<>();
    private final List<ChannelGroup> groups;

    /**
     * One parameter slice tied to a slot: index {@code index} on axis {@code axis} of the
     * initializer; {@code source} when it makes the channel (weight rows, bias) rather than reads it.
     */
    public record Binding(String initializer, int axis, int index, Node node, boolean source) {
    }

    private ChannelDependencies(Graph graph) {
        this.graph = graph.validate();
        for (Value v : graph.inputs()) {
            addValue(v.name());
        }
        for (Node n : graph.nodes()) {
            for (String o : n.outputs()) {
                addValue(o);
            }
        }
        int slots = base.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        slots = base.entrySet().stream().mapToInt(e -> e.getValue() + channels.get(e.getKey())).max().orElse(0);
        parent = new int[slots];
        blocked = new String[slots];
        for (int i = 0; i < slots; i++) {
            parent[i] = i;
            bindings.add(new ArrayList<>());
        }
        for (Value v : graph.inputs()) {
            block(v.name(), "'" + v.name() + "' is a graph input");
        }
        for (Value v : graph.outputs()) {
            block(v.name(), "'" + v.name() + "' is a graph output");
        }
        Map<String, Integer> initializerReaders = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (String in : n.inputs()) {
                if (graph.initializers().containsKey(in)) {
                    initializerReaders.merge(in, 1, Integer::sum);
                }
            }
        }
        for (Node n : graph.nodes()) {
            tie(n, initializerReaders);
        }
        this.groups = collectGroups();
    }

    /** Analyses a graph (validating it). */
    public static ChannelDependencies of(Graph graph) {
        return new ChannelDependencies(graph);
    }

    public Graph graph() {
        return graph;
    }

    /** Every group of tied values, in the order of their first value in the graph. */
    public List<ChannelGroup> groups() {
        return groups;
    }

    /** The prunable groups: those with at least one class that is not blocked and has a source. */
    public List<ChannelGroup> prunableGroups() {
        return groups.stream().filter(ChannelGroup::prunable).toList();
    }

    /** The group holding a value's channels, or null when the value has no channel slots. */
    public ChannelGroup groupOf(String value) {
        Integer b = base.get(value);
        if (b == null) {
            return null;
        }
        int root = find(b);
        for (ChannelGroup g : groups) {
            for (ChannelClass c : g.classes()) {
                if (c.root() == root) {
                    return g;
                }
            }
        }
        return null;
    }

    List<Node> resizedNodes() {
        return resized;
    }

    Integer baseOf(String value) {
        return base.get(value);
    }

    int channelsOf(String value) {
        return channels.getOrDefault(value, 0);
    }

    int root(int slot) {
        return find(slot);
    }

    // ---- building ----------------------------------------------------------------------------

    private void addValue(String name) {
        if (name.isEmpty() || base.containsKey(name)) {
            return;
        }
        TensorType t = graph.type(name);
        if (t == null || !t.dtype().isFloating() || t.shape().rank() < 2 || t.shape().dim(1) < 1) {
            return;
        }
        int next = base.isEmpty() ? 0 : base.entrySet().stream().mapToInt(e -> e.getValue() + channels.get(e.getKey()))
                .max().getAsInt();
        base.put(name, next);
        channels.put(name, t.shape().dim(1));
    }

    private void tie(Node n, Map<String, Integer> initializerReaders) {
        String op = n.domain().isEmpty() || n.domain().equals("ai.onnx") ? n.opType() : n.domain() + ":" + n.opType();
        String x = n.input(0);
        String y = n.outputs().isEmpty() ? "" : n.output(0);
        switch (op) {
            case "Conv" -> conv(n, initializerReaders);
            case "Gemm" -> gemm(n, initializerReaders);
            case "MatMul" -> matMul(n, initializerReaders);
            case "Concat" -> concat(n);
            case "Split" -> split(n);
            case "Flatten" -> flatten(n);
            default -> {
                if (CHANNEL_WISE.contains(op) && base.containsKey(x) && base.containsKey(y)
                        && channels.get(x).equals(channels.get(y)) && sameRank(x, y)) {
                    union(x, y);
                    for (int k = 1; k < n.outputs().size(); k++) {
                        block(n.output(k), "'" + n.name() + "' (" + n.opType() + ") output " + k);
                    }
                    if (op.equals("BatchNormalization") || op.equals("InstanceNormalization") || op.equals("PRelu")) {
                        for (int k = 1; k < n.inputs().size(); k++) {
                            bindVector(n, k, y, initializerReaders);
                        }
                    }
                } else if (ELEMENT_WISE.contains(op) && base.containsKey(y)) {
                    elementWise(n, initializerReaders);
                } else {
                    blockNode(n, "'" + n.name() + "' (" + n.opType() + ") is not understood by channel pruning");
                }
            }
        }
    }

    private boolean sameRank(String a, String b) {
        return graph.type(a).shape().rank() == graph.type(b).shape().rank();
    }

    private void conv(Node n, Map<String, Integer> readers) {
        String x = n.input(0);
        String y = n.output(0);
        String w = n.input(1);
        Tensor wt = graph.initializers().get(w);
        String b = n.input(2);
        if (!base.containsKey(x) || !base.containsKey(y) || wt == null || shared(w, readers)
                || !b.isEmpty() && (!graph.initializers().containsKey(b) || shared(b, readers))) {
            blockNode(n, "'" + n.name() + "' (Conv) has computed or shared weights");
            return;
        }
        long group = n.attributes().getInt("group", 1);
        int c = channels.get(x);
        int m = channels.get(y);
        if (group == 1) {
            for (int i = 0; i < c; i++) {
                bind(x, i, new Binding(w, 1, i, n, false));
            }
            for (int o = 0; o < m; o++) {
                bind(y, o, new Binding(w, 0, o, n, true));
                if (!b.isEmpty()) {
                    bind(y, o, new Binding(b, 0, o, n, true));
                }
            }
        } else if (group == c && m == c) {
            // depthwise, multiplier 1: input channel c makes output channel c alone
            union(x, y);
            for (int o = 0; o < m; o++) {
                bind(y, o, new Binding(w, 0, o, n, true));
                if (!b.isEmpty()) {
                    bind(y, o, new Binding(b, 0, o, n, true));
                }
            }
            resized.add(n);
        } else {
            blockNode(n, "'" + n.name() + "' is a grouped convolution (group " + group + " over " + c
                    + " channels); only depthwise with multiplier 1 is pruned");
        }
    }

    private void gemm(Node n, Map<String, Integer> readers) {
        String a = n.input(0);
        String y = n.output(0);
        String w = n.input(1);
        String c = n.input(2);
        Tensor ct = c.isEmpty() ? null : graph.initializers().get(c);
        boolean biasPerOutput = ct != null && ct.shape().rank() == 1 && ct.size() > 1;
        if (!base.containsKey(a) || !base.containsKey(y) || !graph.initializers().containsKey(w) || shared(w, readers)
                || n.attributes().getInt("transA", 0) != 0 || !c.isEmpty() && ct == null
                || biasPerOutput && shared(c, readers) || ct != null && !biasPerOutput && ct.size() != 1) {
            blockNode(n, "'" + n.name() + "' (Gemm) has computed, shared or transposed operands");
            return;
        }
        boolean transB = n.attributes().getInt("transB", 0) != 0;
        for (int k = 0; k < channels.get(a); k++) {
            bind(a, k, new Binding(w, transB ? 1 : 0, k, n, false));
        }
        for (int o = 0; o < channels.get(y); o++) {
            bind(y, o, new Binding(w, transB ? 0 : 1, o, n, true));
            if (biasPerOutput) {
                bind(y, o, new Binding(c, 0, o, n, true));
            }
        }
    }

    private void matMul(Node n, Map<String, Integer> readers) {
        String a = n.input(0);
        String y = n.output(0);
        String w = n.input(1);
        Tensor wt = graph.initializers().get(w);
        if (!base.containsKey(a) || !base.containsKey(y) || wt == null || wt.shape().rank() != 2
                || graph.type(a).shape().rank() != 2 || shared(w, readers)) {
            blockNode(n, "'" + n.name() + "' (MatMul) is not a [N, K] x [K, M] layer with its own weight");
            return;
        }
        for (int k = 0; k < channels.get(a); k++) {
            bind(a, k, new Binding(w, 0, k, n, false));
        }
        for (int o = 0; o < channels.get(y); o++) {
            bind(y, o, new Binding(w, 1, o, n, true));
        }
    }

    private int axis(Node n, String value, long dflt) {
        long a = n.attributes().getInt("axis", dflt);
        int rank = graph.type(value).shape().rank();
        return (int) (a < 0 ? a + rank : a);
    }

    private void concat(Node n) {
        String y = n.output(0);
        if (!base.containsKey(y) || axis(n, y, 1) != 1) {
            channelPreservingOrBlock(n);
            return;
        }
        int offset = 0;
        for (String in : n.inputs()) {
            if (!base.containsKey(in)) {
                blockNode(n, "'" + n.name() + "' (Concat) joins a constant or channel-less input '" + in + "'");
                return;
            }
            for (int c = 0; c < channels.get(in); c++) {
                unionSlots(base.get(in) + c, base.get(y) + offset + c);
            }
            offset += channels.get(in);
        }
    }

    private void split(Node n) {
        String x = n.input(0);
        if (!base.containsKey(x) || axis(n, x, 0) != 1) {
            blockNode(n, "'" + n.name() + "' (Split) splits another axis than channels");
            return;
        }
        int offset = 0;
        for (String out : n.outputs()) {
            if (!base.containsKey(out)) {
                blockNode(n, "'" + n.name() + "' (Split) has an output without channels");
                return;
            }
            for (int c = 0; c < channels.get(out); c++) {
                unionSlots(base.get(x) + offset + c, base.get(out) + c);
            }
            offset += channels.get(out);
        }
        resized.add(n);
    }

    private void flatten(Node n) {
        String x = n.input(0);
        String y = n.output(0);
        if (!base.containsKey(x) || !base.containsKey(y) || axis(n, x, 1) != 1) {
            blockNode(n, "'" + n.name() + "' (Flatten) does not flatten [N, C, ...] from axis 1");
            return;
        }
        int c = channels.get(x);
        int f = channels.get(y);
        if (f % c != 0) {
            blockNode(n, "'" + n.name() + "' (Flatten) output size " + f + " is not a multiple of " + c + " channels");
            return;
        }
        int per = f / c;
        for (int ch = 0; ch < c; ch++) {
            for (int s = 0; s < per; s++) {
                unionSlots(base.get(x) + ch, base.get(y) + ch * per + s);
            }
        }
    }

    private void elementWise(Node n, Map<String, Integer> readers) {
        String y = n.output(0);
        int m = channels.get(y);
        int rank = graph.type(y).shape().rank();
        for (int k = 0; k < n.inputs().size(); k++) {
            String in = n.input(k);
            TensorType t = graph.type(in);
            if (in.isEmpty() || t == null) {
                continue;
            }
            int r = t.shape().rank();
            // the input's dim aligned with the output's channel axis (numpy broadcasting aligns from the right)
            int aligned = r - (rank - 1);
            int size = aligned >= 0 && aligned < r ? t.shape().dim(aligned) : 1;
            if (size == 1) {
                continue; // broadcast across channels: nothing to remove
            }
            if (base.containsKey(in) && r == rank && channels.get(in) == m) {
                union(in, y);
            } else if (graph.initializers().containsKey(in) && size == m && !shared(in, readers)) {
                for (int c = 0; c < m; c++) {
                    bind(y, c, new Binding(in, aligned, c, n, false));
                }
            } else {
                blockNode(n, "'" + n.name() + "' (" + n.opType() + ") mixes '" + in + "' of shape " + t.shape()
                        + " into channels");
                return;
            }
        }
    }

    private void channelPreservingOrBlock(Node n) {
        blockNode(n, "'" + n.name() + "' (" + n.opType() + ") works on another axis than channels");
    }

    private void bindVector(Node n, int input, String y, Map<String, Integer> readers) {
        String name = n.input(input);
        Tensor t = graph.initializers().get(name);
        if (name.isEmpty()) {
            return;
        }
        if (t == null || shared(name, readers) || t.size() != channels.get(y) && t.size() != 1) {
            blockNode(n, "'" + n.name() + "' (" + n.opType() + ") has a computed or shared per-channel input '" + name + "'");
            return;
        }
        if (t.size() == 1) {
            return;
        }
        for (int c = 0; c < channels.get(y); c++) {
            bind(y, c, new Binding(name, 0, c, n, n.opType().equals("BatchNormalization") && input <= 2));
        }
    }

    private static boolean shared(String initializer, Map<String, Integer> readers) {
        return readers.getOrDefault(initializer, 0) > 1;
    }

    private void bind(String value, int channel, Binding b) {
        bindings.get(base.get(value) + channel).add(b);
    }

    private void blockNode(Node n, String reason) {
        for (String in : n.inputs()) {
            block(in, reason);
        }
        for (String out : n.outputs()) {
            block(out, reason);
        }
    }

    private void block(String value, String reason) {
        Integer b = base.get(value);
        if (b == null) {
            return;
        }
        for (int c = 0; c < channels.get(value); c++) {
            if (blocked[b + c] == null) {
                blocked[b + c] = reason;
            }
        }
    }

    private void union(String a, String b) {
        int n = channels.get(a);
        for (int c = 0; c < n; c++) {
            unionSlots(base.get(a) + c, base.get(b) + c);
        }
    }

    private void unionSlots(int a, int b) {
        int ra = find(a);
        int rb = find(b);
        if (ra != rb) {
            parent[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    private int find(int s) {
        while (parent[s] != s) {
            parent[s] = parent[parent[s]];
            s = parent[s];
        }
        return s;
    }

    // ---- groups -------------------------------------------------------------------------------

    private List<ChannelGroup> collectGroups() {
        // slots by class root
        Map<Integer, List<Slot>> byRoot = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : base.entrySet()) {
            for (int c = 0; c < channels.get(e.getKey()); c++) {
                byRoot.computeIfAbsent(find(e.getValue() + c), k -> new ArrayList<>()).add(new Slot(e.getKey(), c));
            }
        }
        // values tied by any class form one group
        Map<String, String> valueParent = new HashMap<>();
        for (List<Slot> slots : byRoot.values()) {
            String first = slots.get(0).value();
            for (Slot s : slots) {
                unionValues(valueParent, first, s.value());
            }
        }
        Map<String, List<ChannelClass>> classesByGroup = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Slot>> e : byRoot.entrySet()) {
            List<Slot> slots = e.getValue();
            String reason = null;
            List<Binding> bound = new ArrayList<>();
            for (Slot s : slots) {
                int slot = base.get(s.value()) + s.channel();
                if (reason == null) {
                    reason = blocked[slot];
                }
                bound.addAll(bindings.get(slot));
            }
            boolean sourced = bound.stream().anyMatch(Binding::source);
            ChannelClass cc = new ChannelClass(e.getKey(), slots, bound, reason == null && !sourced
                    ? "no weight makes these channels" : reason);
            classesByGroup.computeIfAbsent(findValue(valueParent, slots.get(0).value()), k -> new ArrayList<>()).add(cc);
        }
        List<ChannelGroup> r = new ArrayList<>();
        for (List<ChannelClass> classes : classesByGroup.values()) {
            r.add(new ChannelGroup(r.size(), classes));
        }
        return List.copyOf(r);
    }

    private static void unionValues(Map<String, String> p, String a, String b) {
        String ra = findValue(p, a);
        String rb = findValue(p, b);
        if (!ra.equals(rb)) {
            p.put(rb, ra);
        }
    }

    private static String findValue(Map<String, String> p, String v) {
        String r = v;
        while (p.containsKey(r) && !p.get(r).equals(r)) {
            r = p.get(r);
        }
        return r;
    }

    /** One channel of one value. */
    public record Slot(String value, int channel) {
    }
}
