package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.pass.PassResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Chooses channels to remove: per prunable group, the lowest-scoring removable classes up to a
 * fraction of the group, optionally keeping a multiple of {@code roundTo} channels so kernels
 * stay fast; then rewrites the graph ({@link ChannelPruning}).
 */
public final class ChannelPruner {
    private final Importance importance;
    private final int roundTo;

    public ChannelPruner(Importance importance, int roundTo) {
        if (roundTo < 1) {
            throw new InvalidInputException("channel rounding must be at least 1, got " + roundTo);
        }
        this.importance = importance;
        this.roundTo = roundTo;
    }

    /** Prunes every prunable group by the same fraction of its channels. */
    public PassResult prune(Graph graph, double fraction) {
        ChannelDependencies deps = ChannelDependencies.of(graph);
        return prune(deps, g -> fraction);
    }

    /** Prunes each group by its own fraction (0 leaves it as it is; 1 removes a residual block's inner group whole). */
    public PassResult prune(ChannelDependencies deps, java.util.function.ToDoubleFunction<ChannelGroup> fraction) {
        List<ChannelClass> remove = new ArrayList<>();
        for (ChannelGroup g : deps.prunableGroups()) {
            double f = fraction.applyAsDouble(g);
            if (!(f >= 0 && f <= 1)) {
                throw new InvalidInputException("the pruned fraction of group " + g.name() + " must be in [0, 1], got " + f);
            }
            remove.addAll(choose(deps.graph(), g, f));
        }
        return new ChannelPruning(deps, remove).run(deps.graph());
    }

    /** The classes of one group to remove for a fraction, lowest importance first. */
    public List<ChannelClass> choose(Graph graph, ChannelGroup g, double fraction) {
        int total = g.size();
        if (fraction >= 1) {
            // the whole group: a residual block's inner channels (ChannelPruning checks that an Add bypasses them)
            for (ChannelClass c : g.classes()) {
                if (!c.removable()) {
                    throw new InvalidInputException("group " + g.name() + " cannot lose every channel: " + c.blockedBy());
                }
            }
            return g.classes();
        }
        int keep = (int) Math.ceil(total * (1 - fraction) - 1e-9); // 1 - (1 - k/n) may exceed k/n by an ulp
        if (roundTo > 1) {
            keep = Math.min(total, Math.max(roundTo, (keep + roundTo - 1) / roundTo * roundTo));
        }
        keep = Math.max(1, keep);
        double[] s = importance.scores(graph, g);
        List<Integer> order = IntStream.range(0, total).boxed()
                .filter(i -> g.classes().get(i).removable())
                .sorted(Comparator.comparingDouble(i -> s[i])).toList();
        int drop = total - keep;
        // a class takes one slot (or a Flatten's block) from each value it touches; never empty a value
        // (a Concat's inputs share a group: ranking across them alone could drain one input)
        Map<String, Integer> left = new java.util.HashMap<>();
        for (ChannelClass c : g.classes()) {
            c.slots().forEach(sl -> left.merge(sl.value(), 1, Integer::sum));
        }
        List<ChannelClass> r = new ArrayList<>();
        for (int i = 0; i < order.size() && r.size() < drop; i++) {
            ChannelClass c = g.classes().get(order.get(i));
            Map<String, Integer> take = new java.util.HashMap<>();
            c.slots().forEach(sl -> take.merge(sl.value(), 1, Integer::sum));
            if (take.entrySet().stream().anyMatch(t -> left.get(t.getKey()) - t.getValue() < 1)) {
                continue;
            }
            take.forEach((v, k) -> left.merge(v, -k, Integer::sum));
            r.add(c);
        }
        return r;
    }

    /** Importances by name, as the CLI spells them. */
    public static Importance importance(String name) {
        return switch (name) {
            case "l1" -> Importance.l1();
            case "l2" -> Importance.l2();
            case "bn-scale" -> Importance.bnScale();
            case "reconstruction" -> throw new InvalidInputException("reconstruction importance needs calibration data:"
                    + " make it with Reconstruction.sample (minnow prune --method reconstruction does)");
            default -> throw new InvalidInputException("unknown channel importance '" + name + "'; choose l1, l2 or bn-scale");
        };
    }

    static Map<String, Importance> all() {
        return Map.of("l1", Importance.l1(), "l2", Importance.l2(), "bn-scale", Importance.bnScale());
    }
}
