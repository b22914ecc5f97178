package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer weight bit widths under a budget. Each layer's sensitivity to b bits is measured
 * alone (only that layer's weights rounded to nearest, the rest float: the mean squared change
 * of the model's outputs on calibration data); errors are taken as additive across layers (the
 * usual first-order assumption, HAWQ and its kin), and the choice that minimizes their sum under
 * the budget is a multiple-choice knapsack, solved exactly by dynamic programming over the
 * budget cut into {@link #BUCKETS} units (each layer's cost rounded up, so the budget holds).
 */
public final class MixedPrecision {
    /** Resolution of the knapsack: the optimum may miss by up to layers / BUCKETS of the budget. */
    static final int BUCKETS = 20_000;

    /** What the budget limits. */
    public sealed interface Budget permits ModelSize, BitOps {
        /** The cost of one layer at this weight width. */
        double cost(LayerSensitivity l, int bits);

        double limit();

        String unit();
    }

    /** Bytes of the quantized layers' weights, packed (params * bits / 8); biases and float layers not counted. */
    public record ModelSize(long bytes) implements Budget {
        public double cost(LayerSensitivity l, int bits) {
            return l.params() * (double) bits / 8;
        }

        public double limit() {
            return bytes;
        }

        public String unit() {
            return "bytes";
        }
    }

    /** Bit operations of the quantized layers at batch 1: MACs * weight bits * activation bits. */
    public record BitOps(long bops, int activationBits) implements Budget {
        public double cost(LayerSensitivity l, int bits) {
            return (double) l.macs() * bits * activationBits;
        }

        public double limit() {
            return bops;
        }

        public String unit() {
            return "bops";
        }
    }

    /** One layer: its size, its work at batch 1, and the output error with it alone at each width. */
    public record LayerSensitivity(String node, long params, long macs, Map<Integer, Double> errorByBits) {
        public LayerSensitivity {
            errorByBits = Map.copyOf(errorByBits);
        }
    }

    /** The chosen width per layer (node name), its total cost, the budget, and the summed predicted error. */
    public record Allocation(Map<String, Integer> bitsByNode, double cost, double budget, String unit,
            double predictedError) {
        public Allocation {
            bitsByNode = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bitsByNode));
        }
    }

    private MixedPrecision() {
    }

    /**
     * Measures every quantizable layer (batch norm folded) at each width with scheme's other
     * settings (e.g. per channel), on the calibration batches.
     */
    public static List<LayerSensitivity> sensitivity(Graph graph, List<Tensor> calibration, QuantScheme scheme,
            int... bits) {
        if (calibration.isEmpty()) {
            throw new InvalidInputException("the calibration set is empty; give at least one batch of images");
        }
        Graph g = WeightRounding.folded(graph);
        InferenceExecutor ref = InferenceExecutor.of(g);
        List<Tensor> reference = new ArrayList<>();
        for (Tensor b : calibration) {
            reference.add(ref.run(b).copy());
        }
        List<LayerSensitivity> out = new ArrayList<>();
        for (WeightLayer l : WeightLayer.find(g)) {
            Node node = g.nodes().stream().filter(n -> n.name().equals(l.node())).findFirst().orElseThrow();
            Tensor w = g.initializers().get(l.weight());
            Map<Integer, Double> errors = new LinkedHashMap<>();
            for (int b : bits) {
                Graph q = g.copy();
                q.initializers().put(l.weight(), WeightRounding.params(l, w, scheme.withBits(b)).fakeQuantize(w));
                InferenceExecutor x = InferenceExecutor.of(q);
                double sum = 0;
                long count = 0;
                for (int i = 0; i < calibration.size(); i++) {
                    float[] y = x.run(calibration.get(i)).floats();
                    float[] r = reference.get(i).floats();
                    for (int j = 0; j < y.length; j++) {
                        double d = y[j] - r[j];
                        sum += d * d;
                    }
                    count += y.length;
                }
                errors.put(b, sum / count);
            }
            out.add(new LayerSensitivity(l.node(), w.size(), g.nodeMacs(node), errors));
        }
        return out;
    }

    /** The widths from bits (each measured for every layer) with the least summed error under budget. */
    public static Allocation allocate(List<LayerSensitivity> layers, Budget budget, int... bits) {
        int[] choices = bits.clone();
        Arrays.sort(choices);
        if (layers.isEmpty() || choices.length == 0) {
            throw new InvalidInputException("mixed precision needs at least one layer and one bit width");
        }
        double unit = budget.limit() / BUCKETS;
        double minimum = 0;
        for (LayerSensitivity l : layers) {
            for (int b : choices) {
                if (!l.errorByBits().containsKey(b)) {
                    throw new InvalidInputException("layer " + l.node() + " was not measured at " + b + " bits; "
                            + "measure the sensitivity at every width offered");
                }
            }
            minimum += budget.cost(l, choices[0]);
        }
        if (!(budget.limit() > 0) || minimum > budget.limit()) {
            throw new InvalidInputException(String.format("a budget of %.0f %s cannot be met: every layer at %d bits "
                    + "already costs %.0f; raise the budget or offer fewer bits", budget.limit(), budget.unit(),
                    choices[0], minimum));
        }
        int n = layers.size();
        // best[i][c]: least error of layers 0..i-1 in c buckets; pick[i][c]: the width index chosen for layer i-1
        double[][] best = new double[n + 1][BUCKETS + 1];
        int[][] pick = new int[n + 1][BUCKETS + 1];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        Arrays.fill(best[0], 0);
        for (int i = 1; i <= n; i++) {
            LayerSensitivity l = layers.get(i - 1);
            for (int k = 0; k < choices.length; k++) {
                int cost = (int) Math.ceil(budget.cost(l, choices[k]) / unit - 1e-9);
                double err = l.errorByBits().get(choices[k]);
                for (int c = cost; c <= BUCKETS; c++) {
                    double v = best[i - 1][c - cost] + err;
                    if (v < best[i][c]) {
                        best[i][c] = v;
                        pick[i][c] = k;
                    }
                }
            }
        }
        if (Double.isInfinite(best[n][BUCKETS])) {
            throw new InvalidInputException(String.format("a budget of %.0f %s is too tight to fit with %d-bit "
                    + "layers at the knapsack's resolution; raise it slightly", budget.limit(), budget.unit(), choices[0]));
        }
        Map<String, Integer> chosen = new LinkedHashMap<>();
        int[] widths = new int[n];
        int c = BUCKETS;
        for (int i = n; i >= 1; i--) {
            int k = pick[i][c];
            widths[i - 1] = choices[k];
            c -= (int) Math.ceil(budget.cost(layers.get(i - 1), choices[k]) / unit - 1e-9);
        }
        double cost = 0;
        double error = 0;
        for (int i = 0; i < n; i++) {
            chosen.put(layers.get(i).node(), widths[i]);
            cost += budget.cost(layers.get(i), widths[i]);
            error += layers.get(i).errorByBits().get(widths[i]);
        }
        return new Allocation(chosen, cost, budget.limit(), budget.unit(), error);
    }
}
