package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.infer.ValueObserver;
import dev.minnow.graph.Node;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Second moments and means of one layer's input columns over calibration data, per group:
 * Gff = X X^T from the float model, and when a quantized model is given also Gfq = X Xq^T and
 * Gqq = Xq Xq^T from its inputs at the same sampled positions (the same images, the same output
 * pixels). These are all a layer-wise objective needs: ||W X - Wq Xq||^2 = tr(W Gff W^T)
 * - 2 tr(W Gfq Wq^T) + tr(Wq Gqq Wq^T), so an optimizer step costs M K^2 instead of M K P.
 * Positions are sampled (a fixed number per image, seeded) because neighbouring output pixels of
 * a convolution see nearly the same columns.
 */
final class LayerStatistics {
    final WeightLayer layer;
    /** Per group: K x K, row-major. Gfq and Gqq are the same arrays as Gff when unpaired. */
    final double[][] gff;
    final double[][] gfq;
    final double[][] gqq;
    /** Per group: sums of the input columns (divide by columns for the mean). */
    final double[][] sumF;
    final double[][] sumQ;
    long columns;

    private LayerStatistics(WeightLayer layer, boolean paired, boolean grams) {
        this.layer = layer;
        int k = layer.rowLength();
        int kk = grams ? k * k : 0;
        gff = new double[layer.groups()][kk];
        sumF = new double[layer.groups()][k];
        gfq = paired ? new double[layer.groups()][kk] : gff;
        gqq = paired ? new double[layer.groups()][kk] : gff;
        sumQ = paired ? new double[layer.groups()][k] : sumF;
    }

    boolean paired() {
        return gfq != gff;
    }

    double[] meanF(int g) {
        return mean(sumF[g]);
    }

    double[] meanQ(int g) {
        return mean(sumQ[g]);
    }

    private double[] mean(double[] sum) {
        double[] m = new double[sum.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = sum[i] / columns;
        }
        return m;
    }

    /**
     * Runs floatGraph (and quantGraph, if not null, on the same batches) over the calibration
     * batches and accumulates the statistics of the given layers (named as in both graphs).
     */
    static List<LayerStatistics> collect(Graph floatGraph, Graph quantGraph, List<WeightLayer> layers,
            List<Tensor> batches, int positionsPerImage, long seed) {
        return collect(floatGraph, quantGraph, layers, batches, positionsPerImage, seed, true);
    }

    /** grams false: only the means (bias correction). */
    static List<LayerStatistics> collect(Graph floatGraph, Graph quantGraph, List<WeightLayer> layers,
            List<Tensor> batches, int positionsPerImage, long seed, boolean grams) {
        if (batches.isEmpty()) {
            throw new InvalidInputException("the calibration set is empty; give at least one batch of images");
        }
        if (floatGraph.inputs().size() != 1) {
            throw new InvalidInputException("graph '" + floatGraph.name() + "' has " + floatGraph.inputs().size()
                    + " inputs; calibration feeds single-input models");
        }
        List<LayerStatistics> stats = new ArrayList<>();
        for (WeightLayer l : layers) {
            stats.add(new LayerStatistics(l, quantGraph != null, grams));
        }
        Capture fc = new Capture(floatGraph, stats, positionsPerImage, seed);
        Capture qc = quantGraph == null ? null : new Capture(quantGraph, stats, positionsPerImage, seed);
        for (int b = 0; b < batches.size(); b++) {
            Tensor batch = batches.get(b);
            Map<Integer, float[][]> f = fc.run(batch, b);
            Map<Integer, float[][]> q = qc == null ? f : qc.run(batch, b);
            for (int i = 0; i < stats.size(); i++) {
                stats.get(i).add(f.get(i), q.get(i));
            }
        }
        return stats;
    }

    /** Runs one graph with an observer that samples the layers' input columns as they are computed. */
    private static final class Capture implements ValueObserver {
        private final List<LayerStatistics> stats;
        private final Map<String, List<Integer>> byInput = new HashMap<>();
        private final String graphInput;
        private final InferenceExecutor executor;
        private final int positionsPerImage;
        private final long seed;
        private Map<Integer, float[][]> out;
        private int batchIndex;

        Capture(Graph g, List<LayerStatistics> stats, int positionsPerImage, long seed) {
            this.stats = stats;
            this.positionsPerImage = positionsPerImage;
            this.seed = seed;
            for (int i = 0; i < stats.size(); i++) {
                byInput.computeIfAbsent(stats.get(i).layer.input(), k -> new ArrayList<>()).add(i);
            }
            graphInput = g.inputs().getFirst().name();
            executor = InferenceExecutor.of(g, ExecutionOptions.builder().observer(this).build());
        }

        /** Per layer index: per group the sampled columns (K rows x P) of this batch. */
        Map<Integer, float[][]> run(Tensor batch, int index) {
            out = new HashMap<>();
            batchIndex = index;
            onValue(graphInput, null, batch);
            executor.run(batch);
            for (int i = 0; i < stats.size(); i++) {
                if (!out.containsKey(i)) {
                    throw new IllegalStateException("layer " + stats.get(i).layer.node() + "'s input was never computed");
                }
            }
            return out;
        }

        @Override
        public void onValue(String value, Node producer, Tensor t) {
            for (int i : byInput.getOrDefault(value, List.of())) {
                WeightLayer l = stats.get(i).layer;
                int[] pos = positions(t.shape().dim(0), l.positionsPerImage(t.shape()), positionsPerImage,
                        new Random(seed * 1_000_003L + i * 7919L + batchIndex));
                float[][] cols = new float[l.groups()][l.rowLength() * pos.length];
                for (int g = 0; g < l.groups(); g++) {
                    l.columns(t, g, pos, cols[g]);
                }
                out.put(i, cols);
            }
        }
    }

    /** perImage positions of each image (all of them when there are fewer), as image * total + position. */
    static int[] positions(int images, int total, int perImage, Random r) {
        int take = Math.min(total, perImage);
        int[] pos = new int[images * take];
        int[] perm = new int[total];
        for (int n = 0; n < images; n++) {
            for (int i = 0; i < total; i++) {
                perm[i] = i;
            }
            for (int i = 0; i < take; i++) {
                int j = i + r.nextInt(total - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                pos[n * take + i] = n * total + perm[i];
            }
        }
        return pos;
    }

    private void add(float[][] f, float[][] q) {
        int k = layer.rowLength();
        int p = f[0].length / k;
        float[] tmp = new float[gff[0].length];
        boolean grams = gff[0].length > 0;
        for (int g = 0; g < layer.groups(); g++) {
            if (grams) {
                gram(f[g], f[g], k, p, tmp, gff[g]);
            }
            if (grams && paired()) {
                gram(f[g], q[g], k, p, tmp, gfq[g]);
                gram(q[g], q[g], k, p, tmp, gqq[g]);
            }
            for (int i = 0; i < k; i++) {
                double sf = 0;
                double sq = 0;
                for (int j = 0; j < p; j++) {
                    sf += f[g][i * p + j];
                    sq += q[g][i * p + j];
                }
                sumF[g][i] += sf;
                if (paired()) {
                    sumQ[g][i] += sq;
                }
            }
        }
        columns += p;
    }

    /** acc += A B^T for A, B of k rows x p columns (one batch in float, summed over batches in double). */
    private static void gram(float[] a, float[] b, int k, int p, float[] tmp, double[] acc) {
        Gemm.sgemm(false, true, k, k, p, 1f, a, 0, p, b, 0, p, 0f, tmp, 0, k);
        for (int i = 0; i < tmp.length; i++) {
            acc[i] += tmp[i];
        }
    }
}
