package dev.minnow.compress.cluster;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weight sharing over a graph: the non-zero weights of every Conv (and ConvTranspose) layer are
 * clustered into 2^bitsConv shared values, those of every Gemm and MatMul layer into 2^bitsFc,
 * each layer on its own (Deep Compression shares weights within a layer, not across). Zeros are
 * pruned weights: they are left out of k-means and stay zero. Biases are not clustered.
 * The result is a clustered copy and the {@link SharedWeights} that keeps it clustered through
 * fine-tuning.
 */
public final class ClusterRun {
    private static final Set<String> CONV = Set.of("Conv", "ConvTranspose");
    private static final Set<String> FC = Set.of("Gemm", "MatMul");

    private ClusterRun() {
    }

    /** Bits per layer kind (1..8: the .mnz codebook holds up to 256 values), initialization, seed. */
    /**
     * Centroid fine-tuning's default rate is the pruning fine-tune rate divided by this: a
     * centroid takes the summed gradient of all its weights, so it moves far faster than one
     * weight (LeNet-300-100, 3 epochs: 1e-3 gave 98.25%, 1e-4 98.30%, 3e-5 98.34%).
     */
    public static final int FINE_TUNE_RATE_DIVISOR = 300;

    public record Settings(int bitsConv, int bitsFc, CentroidInit init, long seed, int maxIterations) {
        public Settings {
            checkBits("conv", bitsConv);
            checkBits("fc", bitsFc);
            if (maxIterations < 1) {
                throw new InvalidInputException("k-means needs at least 1 iteration, got " + maxIterations);
            }
        }

        public Settings(int bitsConv, int bitsFc, CentroidInit init, long seed) {
            this(bitsConv, bitsFc, init, seed, KMeans1D.DEFAULT_MAX_ITERATIONS);
        }

        private static void checkBits(String kind, int bits) {
            if (bits < 1 || bits > 8) {
                throw new InvalidInputException("--bits-" + kind + " must be 1 to 8 (at most 256 shared values per layer),"
                        + " got " + bits);
            }
        }
    }

    /** One clustered weight: its layer, the bits asked for, clusters used, and k-means' passes. */
    public record Layer(String weight, String node, String opType, int bits, int clusters, long elements, long nonZeros,
                        int iterations, boolean converged) {
    }

    public record Result(Graph graph, SharedWeights sharing, List<Layer> layers) {
    }

    /** Clusters a copy of {@code graph}; the graph itself is unchanged. */
    public static Result run(Graph graph, Settings s) {
        Graph g = graph.copy();
        Map<String, int[]> assignments = new LinkedHashMap<>();
        Map<String, float[]> centroids = new LinkedHashMap<>();
        List<Layer> layers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node n : g.nodes()) {
            boolean conv = CONV.contains(n.opType());
            if (!conv && !FC.contains(n.opType()) || n.inputs().size() < 2 || !seen.add(n.input(1))) {
                continue;
            }
            Tensor w = g.initializers().get(n.input(1));
            if (w == null || w.dtype() != DType.FLOAT32 || w.shape().rank() < 2) {
                continue;
            }
            float[] x = w.floats();
            int nonZeros = 0;
            for (float v : x) {
                nonZeros += v != 0 ? 1 : 0;
            }
            if (nonZeros == 0) {
                continue;
            }
            float[] kept = new float[nonZeros];
            int[] where = new int[nonZeros];
            for (int i = 0, j = 0; i < x.length; i++) {
                if (x[i] != 0) {
                    kept[j] = x[i];
                    where[j++] = i;
                }
            }
            int bits = conv ? s.bitsConv() : s.bitsFc();
            KMeans1D.Result km = KMeans1D.fit(kept, 1 << bits, s.init(), s.seed() * 1_000_003L + layers.size(), s.maxIterations());
            int[] a = new int[x.length];
            java.util.Arrays.fill(a, -1);
            for (int j = 0; j < nonZeros; j++) {
                a[where[j]] = km.assignments()[j];
            }
            float[] c = new float[km.centroids().length];
            for (int j = 0; j < c.length; j++) {
                float v = (float) km.centroids()[j];
                // a mean of non-zero weights that rounds to 0 would read as pruned
                c[j] = v != 0f ? v : Math.copySign(Float.MIN_VALUE, (float) km.centroids()[j]);
            }
            assignments.put(n.input(1), a);
            centroids.put(n.input(1), c);
            layers.add(new Layer(n.input(1), n.name(), n.opType(), bits, c.length, x.length, nonZeros, km.iterations(),
                    km.converged()));
        }
        if (layers.isEmpty()) {
            throw new InvalidInputException("graph '" + graph.name() + "' has no Conv, Gemm or MatMul weights with non-zero"
                    + " values to cluster");
        }
        Map<String, Tensor> weights = new LinkedHashMap<>();
        assignments.keySet().forEach(k -> weights.put(k, g.initializers().get(k)));
        SharedWeights sharing = SharedWeights.of(weights, assignments, centroids);
        sharing.apply(weights);
        return new Result(g, sharing, layers);
    }

    /** Distinct non-zero values (by bit pattern) of a tensor: at most 2^bits after clustering. */
    public static int distinctNonZeros(Tensor t) {
        Set<Integer> v = new HashSet<>();
        for (float f : t.floats()) {
            if (f != 0) {
                v.add(Float.floatToRawIntBits(f));
            }
        }
        return v.size();
    }
}
