package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.ParameterRoles;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.MaskConstraint;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fine-grained magnitude pruning (Han et al. 2015): the weights of Conv, Gemm and MatMul
 * layers with the smallest absolute values are set to zero, either the same fraction in each
 * layer ({@link Scope#LAYER}) or one threshold over all of them ({@link Scope#GLOBAL}). The
 * record counts kept and total weights per layer; {@link #prune} also returns the masks as a
 * {@link MaskConstraint}, which holds them at zero through fine-tuning:
 * <pre>
 * MagnitudePruning.Result p = MagnitudePruning.layerwise(0.9).prune(graph);
 * Trainer.of(p.graph()).constraint(p.masks()).epochs(1).fit(mnist);
 * </pre>
 * Ties at the threshold are broken by position so exactly round(sparsity * n) weights go.
 */
public final class MagnitudePruning implements GraphPass {
    /** Where the threshold is computed. */
    public enum Scope { LAYER, GLOBAL }

    private static final Set<String> PRUNABLE = Set.of("Conv", "Gemm", "MatMul", "ConvTranspose");

    private final double sparsity;
    private final Scope scope;

    private MagnitudePruning(double sparsity, Scope scope) {
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new InvalidInputException("sparsity is the fraction of weights set to zero, in [0, 1); got " + sparsity);
        }
        this.sparsity = sparsity;
        this.scope = scope;
    }

    /** Prunes the same fraction of each layer's weights. */
    public static MagnitudePruning layerwise(double sparsity) {
        return new MagnitudePruning(sparsity, Scope.LAYER);
    }

    /** Prunes the fraction of all prunable weights with one magnitude threshold. */
    public static MagnitudePruning global(double sparsity) {
        return new MagnitudePruning(sparsity, Scope.GLOBAL);
    }

    /** The pruned graph, the record, and the masks (1 kept, 0 pruned) by weight name. */
    public record Result(Graph graph, PassRecord record, MaskConstraint masks) {
    }

    @Override
    public String name() {
        return "magnitude-pruning";
    }

    /** Prunes a copy of graph; graph itself is left as it was. */
    public Result prune(Graph graph) {
        Graph g = graph.copy();
        GraphEditor e = new GraphEditor(g);
        Map<String, Tensor> masks = new LinkedHashMap<>();
        PassRecord r = apply(e, masks);
        return new Result(e.commit(), r, MaskConstraint.of(masks));
    }

    @Override
    public PassRecord apply(GraphEditor editor) {
        return apply(editor, new LinkedHashMap<>());
    }

    /** The weight inputs (input 1) of prunable layers that are weights by {@link ParameterRoles}, in node order. */
    public static Set<String> prunableWeights(Graph g) {
        Set<String> weights = ParameterRoles.weights(g);
        Set<String> r = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            if (PRUNABLE.contains(n.opType()) && n.inputs().size() > 1 && weights.contains(n.input(1))) {
                r.add(n.input(1));
            }
        }
        return r;
    }

    private PassRecord apply(GraphEditor editor, Map<String, Tensor> masks) {
        Graph g = editor.graph();
        List<String> names = List.copyOf(prunableWeights(g));
        PassRecord.Builder rec = PassRecord.of(name()).setting("sparsity", sparsity).setting("scope", scope.name().toLowerCase());
        double globalThreshold = Double.NaN;
        long globalCut = 0;
        if (scope == Scope.GLOBAL) {
            int total = names.stream().mapToInt(n -> g.initializers().get(n).size()).sum();
            float[] all = new float[total];
            int off = 0;
            for (String n : names) {
                for (float v : g.initializers().get(n).floats()) {
                    all[off++] = Math.abs(v);
                }
            }
            globalCut = Math.round(sparsity * total);
            Arrays.sort(all);
            globalThreshold = globalCut == 0 ? Double.NEGATIVE_INFINITY : all[(int) globalCut - 1];
            // how many exactly at the threshold may go, so the total is exact despite ties
            long below = 0;
            for (float v : all) {
                below += v < globalThreshold ? 1 : 0;
            }
            globalCut -= below;
        }
        long keptTotal = 0;
        long weightsTotal = 0;
        for (String n : names) {
            Tensor w = g.initializers().get(n);
            float[] a = w.floats().clone();
            float[] mask = new float[a.length];
            double threshold;
            long tiesToCut;
            if (scope == Scope.LAYER) {
                float[] mag = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    mag[i] = Math.abs(a[i]);
                }
                Arrays.sort(mag);
                long cut = Math.round(sparsity * a.length);
                threshold = cut == 0 ? Double.NEGATIVE_INFINITY : mag[(int) cut - 1];
                long below = 0;
                for (float v : mag) {
                    below += v < threshold ? 1 : 0;
                }
                tiesToCut = cut - below;
            } else {
                threshold = globalThreshold;
                tiesToCut = Long.MAX_VALUE; // spent across layers below
            }
            long kept = 0;
            for (int i = 0; i < a.length; i++) {
                float m = Math.abs(a[i]);
                boolean cut = m < threshold;
                if (!cut && m == threshold) {
                    if (scope == Scope.GLOBAL ? globalCut > 0 : tiesToCut > 0) {
                        cut = true;
                        if (scope == Scope.GLOBAL) {
                            globalCut--;
                        } else {
                            tiesToCut--;
                        }
                    }
                }
                if (cut) {
                    a[i] = 0f;
                } else {
                    mask[i] = 1f;
                    kept++;
                }
            }
            editor.replaceInitializer(n, Tensor.of(w.shape(), a));
            masks.put(n, Tensor.of(w.shape(), mask));
            rec.count("kept." + n, kept).count("weights." + n, a.length);
            rec.change(n + ": kept " + kept + " of " + a.length);
            keptTotal += kept;
            weightsTotal += a.length;
        }
        rec.count("params_pruned", weightsTotal - keptTotal).count("weights_considered", weightsTotal);
        rec.measure("sparsity", weightsTotal == 0 ? 0 : 1 - (double) keptTotal / weightsTotal);
        return rec.build();
    }
}
