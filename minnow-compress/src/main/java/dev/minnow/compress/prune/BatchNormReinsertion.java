package dev.minnow.compress.prune;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.data.Transform;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.Value;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch norm put back into a graph exported with it folded into its convolutions, so the graph
 * fine-tunes like one trained with batch norm, then folded out again. Exports from PyTorch in
 * eval mode arrive folded; without normalization the same learning rate that recovers a
 * pruned batch-norm network makes them diverge, and a rate small enough not to diverge barely
 * moves them (issue 12). Each inserted BatchNormalization starts as the identity on the data
 * it was calibrated on: running mean and variance are the convolution output's per-channel
 * statistics, shift = mean and scale = sqrt(variance + eps), so in training mode it
 * normalizes by batch statistics and then restores the original scale and offset.
 */
public final class BatchNormReinsertion {
    private static final double EPS = 1e-5;

    private BatchNormReinsertion() {
    }

    /**
     * Convolutions that get a batch norm: float weight and bias initializers of their own, output
     * read by something else than a batch norm and no graph output.
     */
    public static List<Node> candidates(Graph g) {
        GraphEditor e = new GraphEditor(g);
        Map<String, Integer> readers = new HashMap<>();
        g.nodes().forEach(n -> n.inputs().forEach(i -> readers.merge(i, 1, Integer::sum)));
        List<Node> r = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!n.opType().equals("Conv") || n.inputs().size() < 3 || n.input(2).isEmpty()
                    || !g.initializers().containsKey(n.input(1)) || !g.initializers().containsKey(n.input(2))
                    || readers.getOrDefault(n.input(1), 0) > 1 || readers.getOrDefault(n.input(2), 0) > 1
                    || e.isGraphOutput(n.output(0))) {
                continue;
            }
            boolean bnAfter = e.readers(n.output(0)).stream().anyMatch(m -> m.opType().equals("BatchNormalization"));
            if (!bnAfter) {
                r.add(n);
            }
        }
        return r;
    }

    /**
     * A copy of {@code g} with a batch norm after every candidate convolution, calibrated on up to
     * {@code batches} shuffled training batches; the graph has no candidate, the copy is returned
     * unchanged.
     */
    public static Graph insert(Graph g, Dataset data, Normalization norm, int batches, int batchSize, long seed) {
        List<Tensor> images = new ArrayList<>();
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(true).seed(seed)
                .transform(Transform.normalize(norm)).build()) {
            for (Batch b : loader.epoch(0)) {
                images.add(b.images());
                if (images.size() == batches) {
                    break;
                }
            }
        }
        return insert(g, images);
    }

    /** The same, calibrated on batches already preprocessed for the graph's one input. */
    public static Graph insert(Graph g, List<Tensor> batches) {
        List<Node> convs = candidates(g);
        Graph copy = g.copy();
        if (convs.isEmpty()) {
            return copy;
        }
        Map<String, double[][]> moments = new LinkedHashMap<>(); // conv output -> {sum, sum of squares, count}
        for (Node c : convs) {
            int m = g.initializers().get(c.input(1)).shape().dim(0);
            moments.put(c.output(0), new double[][] {new double[m], new double[m], new double[1]});
        }
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.builder().observer((name, node, t) -> {
            double[][] acc = moments.get(name);
            if (acc != null) {
                accumulate(acc, t);
            }
        }).build());
        Value input = g.inputs().getFirst();
        for (Tensor b : batches) {
            ex.run(Map.of(input.name(), b));
        }
        GraphEditor e = new GraphEditor(copy);
        for (Node c : convs) {
            double[][] acc = moments.get(c.output(0));
            int m = acc[0].length;
            float[] mean = new float[m];
            float[] var = new float[m];
            float[] scale = new float[m];
            for (int k = 0; k < m; k++) {
                double mu = acc[0][k] / acc[2][0];
                double v = Math.max(acc[1][k] / acc[2][0] - mu * mu, 0);
                mean[k] = (float) mu;
                var[k] = (float) v;
                scale[k] = (float) Math.sqrt(v + EPS);
            }
            String s = e.addInitializer(c.name() + "_rbn_scale", Tensor.of(Shape.of(m), scale));
            String b = e.addInitializer(c.name() + "_rbn_shift", Tensor.of(Shape.of(m), mean.clone()));
            String mu = e.addInitializer(c.name() + "_rbn_mean", Tensor.of(Shape.of(m), mean));
            String vr = e.addInitializer(c.name() + "_rbn_var", Tensor.of(Shape.of(m), var));
            Attributes a = new Attributes(Map.<String, Object>of("epsilon", EPS, "momentum", 0.9));
            e.insertAfter(c.output(0), c.name() + "_rbn", OpRegistry.global().create("BatchNormalization", a), s, b, mu, vr);
        }
        e.commit();
        return copy;
    }

    /**
     * Folds the inserted batch norms of {@code trained} into their convolutions and writes each
     * convolution's weight and bias into {@code original}'s initializers of the same node, so
     * {@code original} keeps its structure and names and takes the fine-tuned values.
     */
    public static void foldBack(Graph trained, Graph original) {
        Graph folded = trained.copy();
        BatchNormFolding.fold(folded);
        Map<String, Node> byName = new HashMap<>();
        folded.nodes().forEach(n -> byName.put(n.name(), n));
        for (Node n : original.nodes()) {
            Node t = byName.get(n.name());
            if (t == null || !t.opType().equals(n.opType())) {
                throw new IllegalStateException("node '" + n.name() + "' is missing after folding the re-inserted batch norms");
            }
            for (int k = 1; k < n.inputs().size(); k++) {
                Tensor dst = original.initializers().get(n.input(k));
                Tensor src = folded.initializers().get(t.input(k));
                if (dst != null && src != null && dst != src) {
                    if (!dst.shape().equals(src.shape())) {
                        throw new IllegalStateException("'" + n.input(k) + "' changed shape while fine-tuning");
                    }
                    System.arraycopy(src.floats(), 0, dst.floats(), 0, dst.floats().length);
                }
            }
        }
    }

    private static void accumulate(double[][] acc, Tensor t) {
        int[] d = t.shape().dims();
        int n = d[0];
        int c = d[1];
        int per = 1;
        for (int i = 2; i < d.length; i++) {
            per *= d[i];
        }
        float[] x = t.floats();
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < c; k++) {
                double s = 0;
                double q = 0;
                for (int i = (b * c + k) * per, end = i + per; i < end; i++) {
                    s += x[i];
                    q += (double) x[i] * x[i];
                }
                acc[0][k] += s;
                acc[1][k] += q;
            }
        }
        acc[2][0] += (double) n * per;
    }
}
