package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.PassResult;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

/**
 * Sensitivity analysis: each prunable layer (a weight for fine-grained pruning, a channel group
 * for channel pruning) pruned alone at a range of sparsities, the others left dense, and the
 * accuracy measured each time on a held-out set. The curves show which layers tolerate pruning;
 * {@link #allocate} turns them into per-layer sparsities that meet a target with the least
 * predicted loss. Each point is an independent job ({@link #jobs}), so a sweep can run on local
 * threads or be spread over a cluster.
 */
public final class Sensitivity {
    private Sensitivity() {
    }

    /** One layer's curve: accuracy at each sparsity (index 0 is sparsity 0, the dense model). */
    public record Curve(String layer, double[] sparsities, double[] accuracies, long params, long macs) {
        /** Predicted accuracy at a sparsity, linear between measured points. */
        public double accuracyAt(double s) {
            for (int i = 1; i < sparsities.length; i++) {
                if (s <= sparsities[i]) {
                    double f = (s - sparsities[i - 1]) / (sparsities[i] - sparsities[i - 1]);
                    return accuracies[i - 1] + f * (accuracies[i] - accuracies[i - 1]);
                }
            }
            return accuracies[accuracies.length - 1];
        }
    }

    /** A prunable unit of a sweep: its name, size, and how to prune it alone to a sparsity. */
    public record Layer(String name, long params, long macs, PruneOne prune) {
    }

    /** Returns a copy of the graph with only this layer pruned to sparsity s. */
    @FunctionalInterface
    public interface PruneOne {
        Graph apply(Graph g, double s);
    }

    /** Fine-grained layers: every Conv/Gemm/MatMul weight initializer, pruned by magnitude. */
    public static List<Layer> weightLayers(Graph g) {
        List<Layer> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            String op = n.opType();
            if (!(op.equals("Conv") || op.equals("Gemm") || op.equals("MatMul")) || n.inputs().size() < 2) {
                continue;
            }
            String w = n.input(1);
            Tensor t = g.initializers().get(w);
            if (t == null || !t.dtype().isFloating() || t.shape().rank() < 2) {
                continue;
            }
            long macs = g.nodeMacs(n);
            r.add(new Layer(n.name(), t.size(), macs, (graph, s) -> {
                Graph c = graph.copy();
                Tensor wt = c.initializers().get(w);
                Tensor mask = SparsityPatterns.magnitude(wt, s);
                float[] x = wt.floats();
                for (int i = 0; i < x.length; i++) {
                    x[i] *= mask.floats()[i];
                }
                return c;
            }));
        }
        return r;
    }

    /** Channel layers: every prunable group of the graph, pruned by an importance. */
    public static List<Layer> channelLayers(Graph g, Importance importance) {
        ChannelDependencies deps = ChannelDependencies.of(g);
        ChannelPruner pruner = new ChannelPruner(importance, 1);
        List<Layer> r = new ArrayList<>();
        for (ChannelGroup grp : deps.prunableGroups()) {
            // the group's size: every parameter bound to its channels, and the MACs of every node
            // that makes or reads them (removing a fraction f of the channels removes about f of both)
            long params = 0;
            java.util.Set<Node> touched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (ChannelClass c : grp.classes()) {
                for (ChannelDependencies.Binding b : c.bindings()) {
                    Tensor t = g.initializers().get(b.initializer());
                    params += t.size() / t.shape().dim(b.axis());
                    touched.add(b.node());
                }
            }
            long macs = 0;
            for (Node n : touched) {
                macs += g.nodeMacs(n);
            }
            r.add(new Layer(grp.name(), params, macs, (graph, s) -> {
                List<ChannelClass> remove = pruner.choose(graph, grp, s);
                PassResult res = new ChannelPruning(deps, remove).run(graph);
                return res.graph();
            }));
        }
        return r;
    }

    /** The sweep as independent jobs, one per (layer, sparsity), each returning an accuracy. */
    public static List<Callable<Double>> jobs(Graph g, List<Layer> layers, double[] sparsities,
                                              ToDoubleFunction<Graph> accuracy) {
        List<Callable<Double>> r = new ArrayList<>();
        for (Layer l : layers) {
            for (double s : sparsities) {
                r.add(() -> accuracy.applyAsDouble(l.prune().apply(g, s)));
            }
        }
        return r;
    }

    /** Runs the sweep here, one job after another (the kernels inside use every thread). */
    public static List<Curve> sweep(Graph g, List<Layer> layers, double[] sparsities, ToDoubleFunction<Graph> accuracy) {
        checkSparsities(sparsities);
        double dense = accuracy.applyAsDouble(g);
        List<Callable<Double>> jobs = jobs(g, layers, sparsities, accuracy);
        double[] results = new double[jobs.size()];
        for (int i = 0; i < jobs.size(); i++) {
            try {
                results[i] = jobs.get(i).call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return curves(layers, sparsities, dense, results);
    }

    /** Curves from job results laid out as {@link #jobs} orders them (layer-major). */
    public static List<Curve> curves(List<Layer> layers, double[] sparsities, double dense, double[] results) {
        List<Curve> r = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            double[] s = new double[sparsities.length + 1];
            double[] a = new double[sparsities.length + 1];
            a[0] = dense;
            for (int k = 0; k < sparsities.length; k++) {
                s[k + 1] = sparsities[k];
                a[k + 1] = results[l * sparsities.length + k];
            }
            r.add(new Curve(layers.get(l).name(), s, a, layers.get(l).params(), layers.get(l).macs()));
        }
        return r;
    }

    /**
     * Per-layer sparsities that remove at least {@code targetFraction} of the curves' total size
     * (params, or MACs when {@code byMacs}), raised greedily one measured step at a time, always on
     * the layer whose next step costs the least predicted accuracy per unit removed. Throws when
     * even the largest measured sparsities cannot reach the target.
     */
    public static Map<String, Double> allocate(List<Curve> curves, double targetFraction, boolean byMacs) {
        if (!(targetFraction > 0 && targetFraction < 1)) {
            throw new InvalidInputException("the target fraction removed must be in (0, 1), got " + targetFraction);
        }
        double total = 0;
        for (Curve c : curves) {
            total += byMacs ? c.macs() : c.params();
        }
        int[] step = new int[curves.size()];
        double removed = 0;
        while (removed < targetFraction * total) {
            int best = -1;
            double bestCost = Double.POSITIVE_INFINITY;
            for (int i = 0; i < curves.size(); i++) {
                Curve c = curves.get(i);
                if (step[i] + 1 >= c.sparsities().length) {
                    continue;
                }
                double size = byMacs ? c.macs() : c.params();
                double gain = size * (c.sparsities()[step[i] + 1] - c.sparsities()[step[i]]);
                double loss = c.accuracies()[step[i]] - c.accuracies()[step[i] + 1];
                double cost = gain <= 0 ? Double.POSITIVE_INFINITY : Math.max(loss, 0) / gain;
                if (cost < bestCost || best < 0 && gain > 0) {
                    bestCost = cost;
                    best = i;
                }
            }
            if (best < 0) {
                throw new InvalidInputException("the target of " + targetFraction + " removed cannot be reached with the"
                        + " measured sparsities (at most " + removed / total + "); measure higher sparsities");
            }
            Curve c = curves.get(best);
            removed += (byMacs ? c.macs() : c.params()) * (c.sparsities()[step[best] + 1] - c.sparsities()[step[best]]);
            step[best]++;
        }
        Map<String, Double> r = new LinkedHashMap<>();
        for (int i = 0; i < curves.size(); i++) {
            r.put(curves.get(i).layer(), curves.get(i).sparsities()[step[i]]);
        }
        return r;
    }

    /** A sweep as `minnow sensitivity --json` wrote it: its granularity and curves. */
    public record Sweep(String granularity, List<Curve> curves) {
    }

    /**
     * Reads the JSON `minnow sensitivity --json` prints (its last line, or a file holding only it).
     * JSON is YAML 1.2, so the recipe's YAML library reads it; a file that is not such a sweep is
     * refused naming what is missing.
     */
    public static Sweep read(java.nio.file.Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException e) {
            throw new InvalidInputException("cannot read the sensitivity file " + file + ": " + e.getMessage());
        }
        int last = text.lastIndexOf('\n');
        String json = last < 0 ? text : text.substring(last + 1); // --json prints its object on the last line
        Object root;
        try {
            root = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
                    .loadFromString(json);
        } catch (RuntimeException e) {
            throw new InvalidInputException(file + " is not the JSON of `minnow sensitivity --json`: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> m) || !(m.get("layers") instanceof List<?> layers) || layers.isEmpty()
                || !(m.get("granularity") instanceof String gran)) {
            throw new InvalidInputException(file + " is not the JSON of `minnow sensitivity --json` (it needs"
                    + " granularity and a non-empty layers list); make one with `minnow sensitivity MODEL --dataset D --json > "
                    + file.getFileName() + "`");
        }
        List<Curve> curves = new ArrayList<>();
        for (Object o : layers) {
            if (!(o instanceof Map<?, ?> row) || !(row.get("name") instanceof String name)
                    || !(row.get("curve") instanceof List<?> points) || points.size() < 2) {
                throw new InvalidInputException(file + ": a layer entry lacks name or a curve of at least two points");
            }
            double[] sp = new double[points.size()];
            double[] acc = new double[points.size()];
            for (int k = 0; k < sp.length; k++) {
                if (!(points.get(k) instanceof Map<?, ?> pt) || !(pt.get("sparsity") instanceof Number a)
                        || !(pt.get("top1") instanceof Number b)) {
                    throw new InvalidInputException(file + ": layer '" + name + "' has a point without sparsity and top1");
                }
                sp[k] = a.doubleValue();
                acc[k] = b.doubleValue();
            }
            curves.add(new Curve(name, sp, acc, number(row.get("params")), number(row.get("macs"))));
        }
        return new Sweep(gran, curves);
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    static void checkSparsities(double[] s) {
        double prev = 0;
        for (double v : s) {
            SparsityPatterns.checkFraction(v);
            if (v <= prev) {
                throw new InvalidInputException("sensitivity sparsities must rise above 0, got " + java.util.Arrays.toString(s));
            }
            prev = v;
        }
    }
}
