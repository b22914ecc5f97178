package dev.minnow.compress.prune;

import dev.minnow.data.Batch;
import dev.minnow.data.DataLoader;
import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.data.Transform;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * ThiNet importance (Luo et al., ICCV 2017): a channel matters as much as the next layer's output
 * needs it. For every layer that reads channels (a Conv's input channels, a Gemm's or MatMul's
 * input columns) it samples output positions over calibration batches and keeps, per sample, each
 * input channel's contribution x_c (the partial sum over that channel's kernel taps), so the
 * output there is sum_c x_c plus the bias. Removing a set T of channels then changes that output
 * by sum_{c in T} x_c; a group's channels are ordered by greedy selection, each time removing the
 * channel that adds the least squared error summed over the samples, and score by that order
 * (removed earlier = lower score). A group read by several layers (a residual stream) sums the
 * errors over them, each layer's error relative to its own output energy, so a classifier's
 * logits and a convolution's outputs weigh alike. A batch norm right after the reading layer
 * makes its raw output's scale arbitrary, so errors are measured after it (each sampled output
 * channel times gamma / sqrt(var + eps)).
 *
 * <p>The contributions are taken with the weights of the graph sampled; scores for a group read
 * them by consumer name and channel index, so sample the graph each pruning step prunes.
 */
public final class Reconstruction implements Importance {
    /** Sampled output positions per consuming layer (ThiNet's order of magnitude; keeps ResNet-20 in seconds). */
    public static final int DEFAULT_POSITIONS = 2000;
    /** Most floats kept per consumer (a 25,088-input classifier would otherwise hold 200 MB of samples). */
    private static final int MAX_FLOATS = 1 << 22;

    /** Per consumer node name: contributions [sample][input channel], each row a sample. */
    private final Map<String, float[][]> contributions;

    private Reconstruction(Map<String, float[][]> contributions) {
        this.contributions = contributions;
    }

    /**
     * Samples the consumers of {@code g} over training batches ({@code batches} batches of
     * {@code batchSize}, normalized as the model expects, shuffled by {@code seed}).
     */
    public static Reconstruction sample(Graph g, Dataset data, Normalization norm, int batches, int batchSize,
                                        int positionsPerConsumer, long seed) {
        if (batches < 1) {
            throw new InvalidInputException("reconstruction importance needs at least one batch of data, got " + batches);
        }
        Collector c = new Collector(g, batches, positionsPerConsumer, seed);
        int seen = 0;
        try (DataLoader loader = DataLoader.builder(data).batchSize(batchSize).shuffle(true).seed(seed)
                .transform(Transform.normalize(norm)).build()) {
            for (Batch b : loader.epoch(0)) {
                c.accept(b.images());
                if (++seen == batches) {
                    break;
                }
            }
        }
        return c.finish();
    }

    /** Samples the consumers of {@code g} over batches already preprocessed for its one input. */
    public static Reconstruction sample(Graph g, List<Tensor> batches, int positionsPerConsumer, long seed) {
        if (batches.isEmpty()) {
            throw new InvalidInputException("reconstruction importance needs at least one batch of data");
        }
        Collector c = new Collector(g, batches.size(), positionsPerConsumer, seed);
        batches.forEach(c::accept);
        return c.finish();
    }

    /** Names of the layers whose inputs were sampled. */
    public java.util.Set<String> consumers() {
        return java.util.Collections.unmodifiableSet(contributions.keySet());
    }

    @Override
    public double[] scores(Graph graph, ChannelGroup group) {
        List<ChannelClass> classes = group.classes();
        int k = classes.size();
        // per consumer: class -> the input channels of that consumer it covers (a Flatten gives several)
        Map<String, List<List<Integer>>> columns = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            for (ChannelDependencies.Binding b : classes.get(i).bindings()) {
                Node n = b.node();
                if (b.source() || !contributions.containsKey(n.name()) || !b.initializer().equals(n.input(1))) {
                    continue;
                }
                List<List<Integer>> perClass = columns.computeIfAbsent(n.name(), x -> {
                    List<List<Integer>> l = new ArrayList<>();
                    for (int j = 0; j < k; j++) {
                        l.add(new ArrayList<>());
                    }
                    return l;
                });
                perClass.get(i).add(b.index());
            }
        }
        boolean[] candidates = new boolean[k];
        for (int i = 0; i < k; i++) {
            candidates[i] = classes.get(i).removable();
        }
        double[][] x = features(columns, k);
        if (x == null) {
            return Importance.l1().scores(graph, group); // no layer that reads the group was sampled
        }
        int[] order = greedyOrder(x, candidates);
        double[] r = new double[k];
        for (int i = 0; i < k; i++) {
            r[i] = k + i; // classes that cannot go rank after every candidate
        }
        for (int pos = 0; pos < order.length; pos++) {
            r[order[pos]] = pos;
        }
        return r;
    }

    /** [class][sample] over every consumer's samples, each consumer scaled to unit mean output energy; null if none. */
    private double[][] features(Map<String, List<List<Integer>>> columns, int k) {
        List<double[][]> parts = new ArrayList<>();
        int total = 0;
        for (Map.Entry<String, List<List<Integer>>> e : columns.entrySet()) {
            float[][] s = contributions.get(e.getKey());
            double[][] part = new double[k][s.length];
            double energy = 0;
            for (int p = 0; p < s.length; p++) {
                double y = 0;
                for (float v : s[p]) {
                    y += v;
                }
                energy += y * y;
                for (int i = 0; i < k; i++) {
                    double sum = 0;
                    for (int col : e.getValue().get(i)) {
                        sum += s[p][col];
                    }
                    part[i][p] = sum;
                }
            }
            if (!(energy > 0)) {
                continue; // a layer whose sampled outputs are all zero tells nothing
            }
            double scale = 1 / Math.sqrt(energy / s.length);
            for (double[] row : part) {
                for (int p = 0; p < row.length; p++) {
                    row[p] *= scale;
                }
            }
            parts.add(part);
            total += s.length;
        }
        if (parts.isEmpty()) {
            return null;
        }
        double[][] x = new double[k][total];
        int off = 0;
        for (double[][] part : parts) {
            for (int i = 0; i < k; i++) {
                System.arraycopy(part[i], 0, x[i], off, part[i].length);
            }
            off += part[0].length;
        }
        return x;
    }

    /**
     * ThiNet's greedy selection over contributions [channel][sample]: repeatedly removes the
     * candidate whose removal, with those removed before it, gives the least sum over samples of
     * (sum of removed contributions)^2. Returns the candidates in removal order.
     */
    public static int[] greedyOrder(double[][] x, boolean[] candidates) {
        int k = x.length;
        int samples = k == 0 ? 0 : x[0].length;
        double[] removedSum = new double[samples];
        boolean[] left = candidates.clone();
        int count = 0;
        for (boolean c : candidates) {
            count += c ? 1 : 0;
        }
        int[] order = new int[count];
        for (int step = 0; step < count; step++) {
            int best = -1;
            double bestErr = Double.POSITIVE_INFINITY;
            for (int i = 0; i < k; i++) {
                if (!left[i]) {
                    continue;
                }
                double err = 0;
                double[] xi = x[i];
                for (int s = 0; s < samples; s++) {
                    double v = removedSum[s] + xi[s];
                    err += v * v;
                }
                if (err < bestErr) {
                    bestErr = err;
                    best = i;
                }
            }
            order[step] = best;
            left[best] = false;
            for (int s = 0; s < samples; s++) {
                removedSum[s] += x[best][s];
            }
        }
        return order;
    }

    /** The squared error of removing a set: sum over samples of (sum of the removed channels' contributions)^2. */
    public static double error(double[][] x, int[] removed) {
        int samples = x.length == 0 ? 0 : x[0].length;
        double err = 0;
        for (int s = 0; s < samples; s++) {
            double v = 0;
            for (int i : removed) {
                v += x[i][s];
            }
            err += v * v;
        }
        return err;
    }

    /** Runs batches through an observed executor and samples each consumer's contributions as its input goes by. */
    private static final class Collector {
        private final Graph graph;
        private final InferenceExecutor executor;
        private final Value input;
        /** Consumers by the value they read. */
        private final Map<String, List<Consumer>> byInput = new HashMap<>();
        private final List<Consumer> all = new ArrayList<>();
        /** The part of a batch one run sees (1, or 1/N when a batch-1 model takes a batch image by image). */
        private double share = 1;

        Collector(Graph g, int batches, int positions, long seed) {
            if (positions < 1) {
                throw new InvalidInputException("reconstruction importance needs at least one sampled position, got " + positions);
            }
            if (g.inputs().size() != 1) {
                throw new InvalidInputException("reconstruction importance feeds one image input, but the model '"
                        + g.name() + "' has " + g.inputs().size() + " inputs");
            }
            this.graph = g;
            this.input = g.inputs().getFirst();
            java.util.Set<String> inputs = new java.util.HashSet<>();
            g.inputs().forEach(v -> inputs.add(v.name()));
            for (Node n : g.nodes()) {
                Consumer c = Consumer.of(g, n, batches, positions, seed + all.size() * 0x9E3779B97F4A7C15L);
                if (c != null && !inputs.contains(n.input(0))) {
                    all.add(c);
                    byInput.computeIfAbsent(n.input(0), v -> new ArrayList<>()).add(c);
                }
            }
            this.executor = InferenceExecutor.of(g, ExecutionOptions.builder().observer((name, node, t) -> {
                List<Consumer> cs = byInput.get(name);
                if (cs != null) {
                    cs.forEach(c -> c.sample(t, share));
                }
            }).build());
        }

        void accept(Tensor batch) {
            Shape want = input.type().shape();
            int fixed = want.rank() > 0 ? want.dim(0) : -1;
            if (fixed <= 0 || fixed == batch.shape().dim(0)) {
                share = 1;
                executor.run(Map.of(input.name(), batch));
                return;
            }
            if (fixed != 1) {
                throw new InvalidInputException("the model's input '" + input.name() + "' takes batches of exactly "
                        + fixed + "; export it with a dynamic or unit batch dimension");
            }
            // a model exported for batch 1: one image at a time
            int[] dims = batch.shape().dims().clone();
            int per = (int) (batch.size() / dims[0]);
            int n = dims[0];
            dims[0] = 1;
            share = 1.0 / n; // spread the batch's samples over its images, not over the first few
            for (int i = 0; i < n; i++) {
                float[] one = new float[per];
                System.arraycopy(batch.floats(), i * per, one, 0, per);
                executor.run(Map.of(input.name(), Tensor.of(Shape.of(dims), one)));
            }
        }

        Reconstruction finish() {
            Map<String, float[][]> r = new LinkedHashMap<>();
            for (Consumer c : all) {
                if (c.filled > 0) {
                    r.put(c.node.name(), java.util.Arrays.copyOf(c.rows, c.filled));
                }
            }
            if (r.isEmpty() && !all.isEmpty()) {
                throw new InvalidInputException("reconstruction importance saw no input of the layers that read channels"
                        + " in model '" + graph.name() + "'; check that the data fits the model");
            }
            return new Reconstruction(r);
        }
    }

    /** One layer reading channels: its weight, geometry and the samples taken so far. */
    private static final class Consumer {
        final Node node;
        final float[] w;
        final int inChannels;
        final int outChannels;
        /** Gemm/MatMul: weight index of (input k, output o) is k * kStride + o * oStride. */
        final int kStride;
        final int oStride;
        /** Conv only (else null); the input shape it was built for is checked per batch. */
        final ConvOp conv;
        final Shape weightShape;
        /** Per output channel, what a following batch norm multiplies the output by (1 without one). */
        final double[] outScale;
        final float[][] rows;
        final int perBatch;
        final SplittableRandom random;
        int filled;

        private Consumer(Node node, Tensor w, int inChannels, int outChannels, int kStride, int oStride, ConvOp conv,
                         int batches, int positions, long seed) {
            this.node = node;
            this.w = w.floats();
            this.weightShape = w.shape();
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kStride = kStride;
            this.oStride = oStride;
            this.conv = conv;
            this.outScale = new double[outChannels];
            java.util.Arrays.fill(outScale, 1);
            int cap = Math.max(1, Math.min(positions, MAX_FLOATS / Math.max(1, inChannels)));
            this.rows = new float[cap][];
            this.perBatch = Math.max(1, (cap + batches - 1) / batches);
            this.random = new SplittableRandom(seed);
        }

        /** The layer as a consumer, or null when it does not read channels through its own constant weight. */
        static Consumer of(Graph g, Node n, int batches, int positions, long seed) {
            Consumer c = create(g, n, batches, positions, seed);
            if (c != null) {
                c.scaleByBatchNorm(g);
            }
            return c;
        }

        /**
         * A batch norm right after the layer rescales each output channel by gamma / sqrt(var + eps),
         * and the raw output's scale is arbitrary under it: measure the error after the batch norm.
         */
        private void scaleByBatchNorm(Graph g) {
            List<Node> readers = g.consumers(node.output(0));
            if (readers.size() != 1 || !readers.get(0).opType().equals("BatchNormalization")) {
                return;
            }
            Node bn = readers.get(0);
            Tensor gamma = g.initializers().get(bn.input(1));
            Tensor var = bn.inputs().size() > 4 ? g.initializers().get(bn.input(4)) : null;
            if (gamma == null || var == null || gamma.size() != outChannels || var.size() != outChannels) {
                return;
            }
            double eps = bn.attributes().getFloat("epsilon", 1e-5);
            for (int o = 0; o < outChannels; o++) {
                outScale[o] = gamma.floats()[o] / Math.sqrt(var.floats()[o] + eps);
            }
        }

        private static Consumer create(Graph g, Node n, int batches, int positions, long seed) {
            Tensor w = n.inputs().size() > 1 ? g.initializers().get(n.input(1)) : null;
            if (w == null || !w.dtype().isFloating()) {
                return null;
            }
            switch (n.opType()) {
                case "Conv" -> {
                    int rank = w.shape().rank();
                    if (!(n.op() instanceof ConvOp op) || n.attributes().getInt("group", 1) != 1 || rank < 3 || rank > 4) {
                        return null; // depthwise passes channels through; 3-D convolutions are not sampled
                    }
                    return new Consumer(n, w, w.shape().dim(1), w.shape().dim(0), 0, 0, op, batches, positions, seed);
                }
                case "Gemm" -> {
                    if (w.shape().rank() != 2 || n.attributes().getInt("transA", 0) != 0) {
                        return null;
                    }
                    boolean transB = n.attributes().getInt("transB", 0) != 0;
                    int in = w.shape().dim(transB ? 1 : 0);
                    int out = w.shape().dim(transB ? 0 : 1);
                    return transB ? new Consumer(n, w, in, out, 1, in, null, batches, positions, seed)
                            : new Consumer(n, w, in, out, out, 1, null, batches, positions, seed);
                }
                case "MatMul" -> {
                    if (w.shape().rank() != 2) {
                        return null;
                    }
                    int out = w.shape().dim(1);
                    return new Consumer(n, w, w.shape().dim(0), out, out, 1, null, batches, positions, seed);
                }
                default -> {
                    return null;
                }
            }
        }

        /** Takes this batch's share of samples from the consumer's input x (NCHW, valid only during the call). */
        void sample(Tensor x, double share) {
            if (x.shape().rank() < 2 || x.shape().dim(1) != inChannels) {
                return; // not the layout the weight reads (e.g. a MatMul over a 3-D value)
            }
            float[] xs = x.floats();
            int take = Math.min((int) Math.ceil(perBatch * share), rows.length - filled);
            if (conv == null) {
                if (x.shape().rank() != 2) {
                    return;
                }
                int batch = x.shape().dim(0);
                for (int t = 0; t < take; t++) {
                    int n = random.nextInt(batch);
                    int o = random.nextInt(outChannels);
                    float[] row = new float[inChannels];
                    for (int k = 0; k < inChannels; k++) {
                        row[k] = (float) (outScale[o] * w[k * kStride + o * oStride] * xs[n * inChannels + k]);
                    }
                    rows[filled++] = row;
                }
                return;
            }
            ConvGeometry geo = conv.geometry(x.shape(), weightShape);
            int kh = geo.kernelH();
            int kw = geo.kernelW();
            for (int t = 0; t < take; t++) {
                int n = random.nextInt(geo.batch());
                int o = random.nextInt(outChannels);
                int oy = random.nextInt(geo.outH());
                int ox = random.nextInt(geo.outW());
                float[] row = new float[inChannels];
                for (int c = 0; c < inChannels; c++) {
                    double sum = 0;
                    int plane = (n * inChannels + c) * geo.inH() * geo.inW();
                    int wbase = (o * inChannels + c) * kh * kw;
                    for (int i = 0; i < kh; i++) {
                        int iy = oy * geo.strideH() - geo.padTop() + i * geo.dilationH();
                        if (iy < 0 || iy >= geo.inH()) {
                            continue;
                        }
                        for (int j = 0; j < kw; j++) {
                            int ix = ox * geo.strideW() - geo.padLeft() + j * geo.dilationW();
                            if (ix >= 0 && ix < geo.inW()) {
                                sum += w[wbase + i * kw + j] * xs[plane + iy * geo.inW() + ix];
                            }
                        }
                    }
                    row[c] = (float) (outScale[o] * sum);
                }
                rows[filled++] = row;
            }
        }
    }
}
