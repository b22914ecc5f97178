package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.ParameterRoles;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.MaskConstraint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * One pruning job as a user states it: a granularity, an importance, a target and a schedule,
 * with fine-tuning after every step. Fine-grained kinds (weight, kernel, pattern, N:M) zero
 * weights and hold them with a mask; the channel kind rewrites the graph into a smaller dense
 * one. What evaluates and what fine-tunes are passed in, so the same job runs from the CLI, a
 * recipe or a test.
 */
public final class PruneRun {
    private PruneRun() {
    }

    /**
     * How to prune. Exactly one of sparsity, targetMacs, targetParams is set (fractions removed),
     * or none when {@code groups} fixes every fraction wanted. {@code groups} maps a pattern (a
     * group's name, one of its layers or values; {@code *} matches any run of characters) to the
     * fraction of that group's channels removed, 1 removing a residual block's inner group whole;
     * the groups it names are pruned at the first step and left out of the target's allocation.
     * With weight granularity it maps layers (a weight or its node) to their sparsities, the whole
     * plan, which the schedule reaches in steps as it would a single sparsity.
     */
    public record Settings(String granularity, String importance, Double sparsity, Double targetMacs,
                           Double targetParams, String schedule, int steps, int roundTo, boolean global,
                           Map<String, Double> groups) {
        public Settings(String granularity, String importance, Double sparsity, Double targetMacs,
                        Double targetParams, String schedule, int steps, int roundTo, boolean global) {
            this(granularity, importance, sparsity, targetMacs, targetParams, schedule, steps, roundTo, global, Map.of());
        }

        public Settings {
            groups = groups == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
            int targets = (sparsity != null ? 1 : 0) + (targetMacs != null ? 1 : 0) + (targetParams != null ? 1 : 0);
            boolean pattern = granularity.equals("pattern") || granularity.matches("\\d+:\\d+");
            if (!groups.isEmpty() && !granularity.equals("channel") && !granularity.equals("weight")) {
                throw new InvalidInputException("per-group or per-layer fractions need --granularity channel or weight");
            }
            if (granularity.equals("weight") && groups.values().stream().anyMatch(v -> v >= 1)) {
                throw new InvalidInputException("a layer's weight sparsity must be below 1 (a layer with no weight left"
                        + " cuts the network)");
            }
            if (!groups.isEmpty() && granularity.equals("weight") && targets > 0) {
                throw new InvalidInputException("per-layer sparsities are the whole plan for weight pruning: drop"
                        + " --sparsity/--target-params, or the per-layer sparsities");
            }
            for (Map.Entry<String, Double> e : groups.entrySet()) {
                if (e.getValue() == null || !(e.getValue() >= 0 && e.getValue() <= 1)) {
                    throw new InvalidInputException("the fraction for group '" + e.getKey() + "' must be in [0, 1]"
                            + " (1 removes a residual block's inner channels whole); got " + e.getValue());
                }
            }
            if (targets > 1 || targets == 0 && !pattern && groups.isEmpty()) {
                throw new InvalidInputException("give exactly one of --sparsity, --target-macs and --target-params"
                        + " (or only --group-sparsity)");
            }
            for (Double f : new Double[] {sparsity, targetMacs, targetParams}) {
                if (f != null && !(f >= 0 && f < 1)) {
                    throw new InvalidInputException("a sparsity or target is a fraction removed, in [0, 1); got " + f);
                }
            }
            if (importance.equals("reconstruction") && !granularity.equals("channel")) {
                throw new InvalidInputException("reconstruction importance scores channels: use it with --granularity channel");
            }
            if (targetMacs != null && !granularity.equals("channel")) {
                throw new InvalidInputException("--target-macs needs --granularity channel: zeroed weights do not"
                        + " remove dense MACs (use --sparsity or --target-params with fine-grained pruning)");
            }
            if (steps < 1) {
                throw new InvalidInputException("--steps must be at least 1, got " + steps);
            }
            if (!Set.of("oneshot", "iterative", "agp").contains(schedule)) {
                throw new InvalidInputException("unknown --schedule '" + schedule + "'; use oneshot, iterative or agp");
            }
            if (!Set.of("weight", "kernel", "channel", "pattern").contains(granularity) && !granularity.matches("\\d+:\\d+")) {
                throw new InvalidInputException("unknown --granularity '" + granularity
                        + "'; use weight, kernel, channel, pattern or N:M such as 2:4");
            }
        }

        int stepCount() {
            return schedule.equals("oneshot") ? 1 : steps;
        }
    }

    /** Fine-tunes a graph in place, holding the given masks (empty for a channel-pruned graph). */
    @FunctionalInterface
    public interface FineTune {
        void run(Graph graph, MaskConstraint masks, int step);
    }

    /** After each step: sparsity reached, non-zero parameters, dense MACs, accuracy (null when not measured). */
    public record Step(int step, double targetSparsity, long nonZeroParams, long macs, Double top1) {
    }

    public record Result(Graph graph, List<PassRecord> records, List<Step> steps, MaskConstraint masks) {
    }

    /** Runs the job; the input graph is not modified. evaluate may be null (no accuracy per step). */
    public static Result run(Graph input, Settings s, FineTune fineTune, ToDoubleFunction<Graph> evaluate) {
        return run(input, s, fineTune, evaluate, g -> ChannelPruner.importance(importanceName(s)));
    }

    /**
     * As above, with the channel importance made for the graph of each step (Taylor scores need
     * gradients of the graph as it is then).
     */
    public static Result run(Graph input, Settings s, FineTune fineTune, ToDoubleFunction<Graph> evaluate,
                             java.util.function.Function<Graph, Importance> importance) {
        Graph g = input.copy().validate();
        List<PassRecord> records = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        MaskConstraint masks = MaskConstraint.of(Map.of());
        boolean channel = s.granularity().equals("channel");
        Map<Integer, Double> fixed = channel ? fixedFractions(g, s) : Map.of();
        Set<String> fixedNames = new java.util.HashSet<>();
        ChannelDependencies first = fixed.isEmpty() ? null : ChannelDependencies.of(g);
        if (first != null) {
            first.prunableGroups().stream().filter(grp -> fixed.containsKey(grp.id())).forEach(grp -> fixedNames.add(grp.name()));
        }
        double goal = goal(g, s, fixed);
        AgpSchedule schedule = s.schedule().equals("agp") ? AgpSchedule.agp(goal, s.stepCount())
                : AgpSchedule.linear(goal, s.stepCount());
        double reached = 0;
        for (int t = 1; t <= s.stepCount(); t++) {
            double target = schedule.sparsityAt(t);
            if (channel) {
                PassResult r;
                // groups named by --group-sparsity: their fraction at the first step, then left alone
                Map<Integer, Double> now = t == 1 ? fixed : Map.of();
                ChannelDependencies deps = t == 1 && first != null ? first : ChannelDependencies.of(g);
                java.util.function.Predicate<ChannelGroup> free = grp -> !fixedNames.contains(grp.name());
                if (s.sparsity() == null && s.targetMacs() == null && s.targetParams() == null) {
                    r = new ChannelPruner(importance.apply(g), s.roundTo()).prune(deps, grp -> now.getOrDefault(grp.id(), 0.0));
                } else if (s.sparsity() != null) {
                    // the graph already lost `reached` of its channels: remove the rest relative to what is left
                    double relative = 1 - (1 - target) / (1 - reached);
                    r = new ChannelPruner(importance.apply(g), s.roundTo()).prune(deps,
                            grp -> now.containsKey(grp.id()) ? now.get(grp.id()) : free.test(grp) ? relative : 0);
                } else {
                    // a MACs or params target: each step reaches its share of the original's metric
                    boolean macs = s.targetMacs() != null;
                    double limit = (1 - target) * (macs ? input.macs() : nonZeroParams(input));
                    if (s.roundTo() > 1) {
                        // rounded channel counts move in steps: choose per group (a uniform fraction
                        // would jump past the target when a group's kept count drops a whole step)
                        Map<Integer, Double> perGroup = roundedFractions(g, deps, s, macs, limit, now, free);
                        r = new ChannelPruner(importance.apply(g), s.roundTo())
                                .prune(deps, grp -> perGroup.getOrDefault(grp.id(), 0.0));
                    } else {
                        double f = fractionFor(g, s, macs, limit, now, free);
                        r = new ChannelPruner(importance.apply(g), 1).prune(deps,
                                grp -> now.containsKey(grp.id()) ? now.get(grp.id()) : free.test(grp) ? f : 0);
                    }
                }
                g = r.graph();
                records.addAll(r.records());
            } else {
                Map<String, Tensor> m = fineGrainedMasks(g, s, target);
                masks = MaskConstraint.of(m);
                masks.afterStep(weights(g), 0);
                PassRecord.Builder rec = PassRecord.of(s.granularity() + "-pruning").setting("sparsity", target);
                m.forEach((k, v) -> rec.count("kept." + k, (long) Math.round((1 - SparsityPatterns.sparsity(v)) * v.size())));
                records.add(rec.build());
            }
            reached = target;
            if (fineTune != null) {
                fineTune.run(g, masks, t);
            }
            steps.add(new Step(t, target, nonZeroParams(g), g.macs(),
                    evaluate == null ? null : evaluate.applyAsDouble(g)));
        }
        return new Result(g, records, steps, masks);
    }

    /**
     * Fractions by group id for the groups --group-sparsity names (on the graph as it is before
     * the first step); a pattern that names no prunable group is refused with the names there are.
     */
    static Map<Integer, Double> fixedFractions(Graph g, Settings s) {
        Map<Integer, Double> r = new LinkedHashMap<>();
        if (s.groups().isEmpty()) {
            return r;
        }
        List<ChannelGroup> groups = ChannelDependencies.of(g).prunableGroups();
        for (Map.Entry<String, Double> e : s.groups().entrySet()) {
            java.util.regex.Pattern p = glob(e.getKey());
            boolean any = false;
            for (ChannelGroup grp : groups) {
                if (p.matcher(grp.name()).matches() || grp.sourceNodes().stream().anyMatch(n -> p.matcher(n).matches())
                        || grp.values().stream().anyMatch(v -> p.matcher(v).matches())) {
                    r.put(grp.id(), e.getValue());
                    any = true;
                }
            }
            if (!any) {
                throw new InvalidInputException("'" + e.getKey() + "' names no prunable channel group; the groups are: "
                        + String.join(", ", groups.stream().map(ChannelGroup::name).toList())
                        + " (`minnow info MODEL --channel-groups` shows them with their channels)");
            }
        }
        return r;
    }

    /** A shell-like pattern: {@code *} any run of characters, {@code ?} one; the rest literal. */
    static java.util.regex.Pattern glob(String pattern) {
        StringBuilder b = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            b.append(c == '*' ? ".*" : c == '?' ? "." : java.util.regex.Pattern.quote(String.valueOf(c)));
        }
        return java.util.regex.Pattern.compile(b.toString());
    }

    /** The fraction to reach: the sparsity, a params target, a MACs target (channels, by bisection). */
    private static double goal(Graph g, Settings s, Map<Integer, Double> fixed) {
        if (s.granularity().equals("pattern")) {
            return 5.0 / 9; // 4 of 9 taps kept
        }
        if (s.granularity().matches("\\d+:\\d+")) {
            String[] nm = s.granularity().split(":");
            return 1 - Double.parseDouble(nm[0]) / Double.parseDouble(nm[1]);
        }
        if (s.sparsity() != null) {
            return s.sparsity();
        }
        if (s.targetMacs() == null && s.targetParams() == null) {
            // only per-group fractions: channels take theirs at once; weights reach theirs in steps
            // (the schedule runs to the largest layer's sparsity; each layer takes its share of it)
            return s.granularity().equals("weight") ? s.groups().values().stream().mapToDouble(v -> v).max().orElse(0) : 0;
        }
        if (!s.granularity().equals("channel")) {
            // fine-grained: the fraction of all parameters to remove, taken from the prunable weights
            long all = nonZeroParams(g);
            long prunable = 0;
            for (String w : prunableWeights(g)) {
                prunable += g.initializers().get(w).size();
            }
            double f = s.targetParams() * all / Math.max(1, prunable);
            if (f >= 1) {
                throw new InvalidInputException("removing " + s.targetParams() + " of the parameters would need more than"
                        + " every prunable weight (" + prunable + " of " + all + ")");
            }
            return f;
        }
        // channels with a MACs or params target: the schedule runs over that metric (see run)
        boolean macs = s.targetMacs() != null;
        double want = macs ? s.targetMacs() : s.targetParams();
        double before = macs ? g.macs() : nonZeroParams(g);
        double most = removedAt(g, s, MOST, macs, before, fixed, grp -> true);
        if (most < want) {
            throw new InvalidInputException("channel pruning can remove at most " + String.format("%.3f", most)
                    + " of the " + (macs ? "MACs" : "parameters") + " of this graph (blocked layers keep theirs); the target was "
                    + want);
        }
        return want;
    }

    /** The largest fraction of each group's channels a search tries. */
    private static final double MOST = 0.95;

    /** The uniform fraction per group whose pruned graph has at most {@code limit} MACs (or params), by bisection. */
    private static double fractionFor(Graph g, Settings s, boolean macs, double limit, Map<Integer, Double> fixed,
                                      java.util.function.Predicate<ChannelGroup> free) {
        double before = macs ? g.macs() : nonZeroParams(g);
        double want = 1 - limit / before;
        if (want <= 0) {
            return 0;
        }
        double lo = 0;
        double hi = MOST;
        for (int i = 0; i < 16; i++) {
            double mid = (lo + hi) / 2;
            if (removedAt(g, s, mid, macs, before, fixed, free) >= want) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * Per-group pruned fractions with kept counts in multiples of roundTo: the group keeping the
     * largest share of its channels gives up roundTo more, one step at a time, until the graph has
     * at most {@code limit} MACs (or params); the last step overshoots by one group's step at most.
     */
    private static Map<Integer, Double> roundedFractions(Graph g, ChannelDependencies deps, Settings s, boolean macs,
                                                         double limit, Map<Integer, Double> fixed,
                                                         java.util.function.Predicate<ChannelGroup> free) {
        Map<Integer, Integer> keep = new LinkedHashMap<>();
        for (ChannelGroup grp : deps.prunableGroups()) {
            if (fixed.containsKey(grp.id()) || !free.test(grp)) {
                continue;
            }
            int removable = (int) grp.classes().stream().filter(ChannelClass::removable).count();
            int pinned = grp.size() - removable;
            keep.put(grp.id(), grp.size());
            if (pinned >= grp.size()) {
                keep.remove(grp.id());
            }
        }
        Map<Integer, ChannelGroup> byId = new LinkedHashMap<>();
        deps.prunableGroups().forEach(grp -> byId.put(grp.id(), grp));
        Map<Integer, Double> fractions = new LinkedHashMap<>(fixed);
        ChannelPruner pruner = new ChannelPruner(Importance.l1(), s.roundTo());
        Graph start = fixed.isEmpty() ? g : pruner.prune(deps, grp -> fixed.getOrDefault(grp.id(), 0.0)).graph();
        double now = macs ? start.macs() : nonZeroParams(start);
        while (now > limit) {
            Integer best = null;
            double bestShare = -1;
            for (Map.Entry<Integer, Integer> e : keep.entrySet()) {
                int size = byId.get(e.getKey()).size();
                int next = (e.getValue() - 1) / s.roundTo() * s.roundTo(); // the multiple below: 20 -> 16 -> 0
                double share = (double) e.getValue() / size;
                if (next >= s.roundTo() && share > bestShare) {
                    bestShare = share;
                    best = e.getKey();
                }
            }
            if (best == null) {
                throw new InvalidInputException("channel pruning with multiples of " + s.roundTo() + " channels cannot go"
                        + " below " + (long) now + (macs ? " MACs" : " parameters") + "; the target was " + (long) limit);
            }
            keep.put(best, (keep.get(best) - 1) / s.roundTo() * s.roundTo());
            for (Map.Entry<Integer, Integer> e : keep.entrySet()) {
                fractions.put(e.getKey(), 1 - (double) e.getValue() / byId.get(e.getKey()).size());
            }
            Graph p = pruner.prune(deps, grp -> fractions.getOrDefault(grp.id(), 0.0)).graph();
            now = macs ? p.macs() : nonZeroParams(p);
        }
        return fractions;
    }

    /** What a uniform fraction removes; which channels go barely matters for the count, so L1 picks them. */
    private static double removedAt(Graph g, Settings s, double f, boolean macs, double before,
                                    Map<Integer, Double> fixed, java.util.function.Predicate<ChannelGroup> free) {
        ChannelDependencies deps = ChannelDependencies.of(g);
        Graph p = new ChannelPruner(Importance.l1(), s.roundTo()).prune(deps,
                grp -> fixed.containsKey(grp.id()) ? fixed.get(grp.id()) : free.test(grp) ? f : 0).graph();
        return 1 - (macs ? p.macs() : nonZeroParams(p)) / before;
    }

    private static String importanceName(Settings s) {
        return switch (s.importance()) {
            case "magnitude", "l1", "taylor" -> "l1";
            default -> s.importance();
        };
    }

    /** Masks for one fine-grained step at a sparsity. */
    static Map<String, Tensor> fineGrainedMasks(Graph g, Settings s, double sparsity) {
        Map<String, Tensor> masks = new LinkedHashMap<>();
        List<String> names = prunableWeights(g);
        String gran = s.granularity();
        if (gran.equals("weight") && !s.groups().isEmpty()) {
            // per-layer sparsities (a sensitivity allocation): sparsity is the share of the plan reached
            for (Map.Entry<String, Double> e : s.groups().entrySet()) {
                java.util.regex.Pattern p = glob(e.getKey());
                boolean any = false;
                for (Node n : g.nodes()) {
                    if (n.inputs().size() > 1 && names.contains(n.input(1))
                            && (p.matcher(n.name()).matches() || p.matcher(n.input(1)).matches())) {
                                double most = s.groups().values().stream().mapToDouble(v -> v).max().orElse(1);
                        masks.put(n.input(1), SparsityPatterns.magnitude(g.initializers().get(n.input(1)),
                                e.getValue() * sparsity / most));
                        any = true;
                    }
                }
                if (!any) {
                    throw new InvalidInputException("'" + e.getKey() + "' names no prunable layer; the layers are: "
                            + String.join(", ", names));
                }
            }
            return masks;
        }
        if (gran.equals("weight")) {
            if (s.global()) {
                return MagnitudePruning.global(sparsity).prune(g).masks().masks();
            }
            for (String w : names) {
                masks.put(w, SparsityPatterns.magnitude(g.initializers().get(w), sparsity));
            }
        } else if (gran.equals("kernel")) {
            for (String w : names) {
                masks.put(w, SparsityPatterns.kernels(g.initializers().get(w), sparsity));
            }
        } else if (gran.equals("pattern")) {
            for (String w : names) {
                Tensor t = g.initializers().get(w);
                if (t.shape().rank() == 4 && t.shape().dim(2) == 3 && t.shape().dim(3) == 3) {
                    masks.put(w, SparsityPatterns.patterns(t, SparsityPatterns.defaultPatterns3x3()));
                }
            }
            if (masks.isEmpty()) {
                throw new InvalidInputException("pattern pruning needs 3x3 convolutions; this model has none");
            }
        } else {
            String[] nm = gran.split(":");
            int n = Integer.parseInt(nm[0]);
            int m = Integer.parseInt(nm[1]);
            for (String w : names) {
                Tensor t = g.initializers().get(w);
                if (t.shape().rank() >= 2 && t.shape().dim(1) % m == 0) {
                    masks.put(w, SparsityPatterns.nOfM(t, n, m));
                }
            }
            if (masks.isEmpty()) {
                throw new InvalidInputException(gran + " sparsity needs layers whose input size is a multiple of " + m);
            }
        }
        return masks;
    }

    /** Conv, Gemm and MatMul weights (the layers pruning acts on), in graph order. */
    public static List<String> prunableWeights(Graph g) {
        List<String> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            if ((n.opType().equals("Conv") || n.opType().equals("Gemm") || n.opType().equals("MatMul"))
                    && n.inputs().size() > 1 && g.initializers().containsKey(n.input(1))
                    && g.initializers().get(n.input(1)).shape().rank() >= 2 && !r.contains(n.input(1))) {
                r.add(n.input(1));
            }
        }
        return r;
    }

    private static Map<String, Tensor> weights(Graph g) {
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (String w : ParameterRoles.weights(g)) {
            r.put(w, g.initializers().get(w));
        }
        return r;
    }

    /**
     * Non-zero elements of the weights and biases (what pruning reports as params), float ones and,
     * in a quantized (QDQ) graph, the integer ones a DequantizeLinear reads as its data.
     */
    public static long nonZeroParams(Graph g) {
        long n = 0;
        for (String w : ParameterRoles.weights(g)) {
            for (float v : g.initializers().get(w).floats()) {
                n += v != 0 ? 1 : 0;
            }
        }
        java.util.Set<String> counted = new java.util.HashSet<>();
        for (Node d : g.nodes()) {
            Tensor t = d.opType().equals("DequantizeLinear") ? g.initializers().get(d.input(0)) : null;
            if (t != null && !t.dtype().isFloating() && t.size() > 1 && counted.add(d.input(0))) {
                // a code is a zero weight when it equals its zero point (per tensor or per channel)
                Tensor zp = d.inputs().size() > 2 ? g.initializers().get(d.input(2)) : null;
                int rank = t.shape().rank();
                int axis = (int) d.attributes().getInt("axis", 1);
                axis = axis < 0 ? axis + rank : axis;
                int inner = 1;
                for (int k = axis + 1; k < rank; k++) {
                    inner *= t.shape().dim(k);
                }
                boolean perChannel = zp != null && zp.size() > 1 && axis < rank;
                for (int i = 0; i < t.size(); i++) {
                    double z = zp == null ? 0 : zp.getDouble(perChannel ? (i / inner) % t.shape().dim(axis) : 0);
                    n += t.getDouble(i) != z ? 1 : 0;
                }
            }
        }
        return n;
    }
}
