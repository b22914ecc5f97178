package dev.minnow.cli;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.infer.SparseMode;
import dev.minnow.infer.kernels.SparseKernels;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * `minnow bench --sparse-sweep`: dense against sparse kernels on single layers whose weights are
 * magnitude-pruned to 50, 70, 90 and 95%, at batch 1 and 64, each layer run through the inference
 * executor as a one-node graph with sparse=off and sparse=on (so both sides pay what a model pays:
 * the provider's kernel, bias, output buffer). Dense and sparse run alternately in blocks, as in
 * `bench --compare`, so both see the same machine. The crossover is interpolated on the speedup
 * between the swept sparsities; the auto column shows what {@link SparseMode#AUTO} would run.
 */
final class SparseSweep {
    static final double[] SPARSITIES = {0.5, 0.7, 0.9, 0.95};
    static final int[] BATCHES = {1, 64};

    private SparseSweep() {
    }

    /** A single-layer graph: its name, its input shape without the batch, and a builder for a sparsity. */
    private record Layer(String name, int[] inDims, java.util.function.DoubleFunction<Graph> build) {
    }

    private static List<Layer> layers() {
        return List.of(
                new Layer("lenet-300-100 fc1 784x300", new int[] {784}, s -> dense(784, 300, s)),
                new Layer("resnet-20 conv 3x3 16->16 @32x32", new int[] {16, 32, 32}, s -> conv(16, 32, s)),
                new Layer("resnet-20 conv 3x3 64->64 @8x8", new int[] {64, 8, 8}, s -> conv(64, 8, s)));
    }

    /** Values in [-1, 1) with the smallest-magnitude fraction `sparsity` set to zero (magnitude pruning). */
    static Tensor pruned(Shape shape, double sparsity, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(v[a]), Math.abs(v[b])));
        for (int i = 0; i < Math.round(sparsity * v.length); i++) {
            v[order[i]] = 0f;
        }
        return Tensor.of(shape, v);
    }

    private static Graph dense(int in, int out, double sparsity) {
        Graph g = new Graph("fc");
        g.addInput(new Value("x", TensorType.f32(-1, in)));
        g.addInitializer("w", pruned(Shape.of(out, in), sparsity, 1));
        g.addInitializer("b", pruned(Shape.of(out), 0, 2));
        g.addNode(new Node("fc", OpRegistry.global().create("Gemm", Attributes.of("transB", 1L)), List.of("x", "w", "b"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, out)));
        return g.validate();
    }

    /** A 3x3, stride-1, pad-1 conv with a bias (a ResNet conv after batch-norm folding) and its ReLU. */
    private static Graph conv(int channels, int size, double sparsity) {
        Graph g = new Graph("conv");
        g.addInput(new Value("x", TensorType.f32(-1, channels, size, size)));
        g.addInitializer("w", pruned(Shape.of(channels, channels, 3, 3), sparsity, 3));
        g.addInitializer("b", pruned(Shape.of(channels), 0, 4));
        g.addNode(new Node("conv", OpRegistry.global().create("Conv", Attributes.of("kernel_shape", new long[] {3, 3},
                "pads", new long[] {1, 1, 1, 1})), List.of("x", "w", "b"), List.of("c")));
        g.addNode(new Node("relu", OpRegistry.global().create("Relu", new Attributes()), List.of("c"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, channels, size, size)));
        return g.validate();
    }

    /** Runs the sweep; returns the JSON object and appends the human tables to text. */
    static Map<String, Object> run(double seconds, double warmupSeconds, StringBuilder text) {
        List<Layer> layers = layers();
        int points = layers.size() * BATCHES.length * SPARSITIES.length;
        double perPoint = Math.max(0.2, seconds / 4);
        Progress progress = new Progress("sparse sweep", points, "points");
        List<Map<String, Object>> rows = new ArrayList<>();
        Table table = new Table("layer", "batch", "sparsity", "dense ms", "sparse ms", "speedup", "auto runs");
        Table cross = new Table("layer", "batch", "crossover sparsity");
        int done = 0;
        for (Layer layer : layers) {
            for (int batch : BATCHES) {
                int[] dims = new int[layer.inDims().length + 1];
                dims[0] = batch;
                System.arraycopy(layer.inDims(), 0, dims, 1, layer.inDims().length);
                Tensor x = pruned(Shape.of(dims), 0, 5);
                double[] speedups = new double[SPARSITIES.length];
                List<Map<String, Object>> pts = new ArrayList<>();
                for (int i = 0; i < SPARSITIES.length; i++) {
                    Graph g = layer.build().apply(SPARSITIES[i]);
                    InferenceExecutor dense = executor(g, SparseMode.OFF);
                    InferenceExecutor sparse = executor(g, SparseMode.ON);
                    // the first point of a layer warms the JIT for as long as bench does; later ones briefly
                    double warm = i == 0 ? warmupSeconds : 0.1;
                    BenchTimer.warm(() -> dense.run(x), 5, warm / 2);
                    BenchTimer.warm(() -> sparse.run(x), 5, warm / 2);
                    double[] ms = BenchTimer.alternate(() -> dense.run(x), () -> sparse.run(x), perPoint);
                    boolean auto = autoRunsSparse(g, batch);
                    speedups[i] = ms[0] / ms[1];
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("sparsity", SPARSITIES[i]);
                    p.put("dense_ms", ms[0]);
                    p.put("sparse_ms", ms[1]);
                    p.put("speedup", speedups[i]);
                    p.put("auto", auto ? "sparse" : "dense");
                    pts.add(p);
                    table.row(layer.name(), batch, pct(SPARSITIES[i]), String.format("%.4f", ms[0]),
                            String.format("%.4f", ms[1]), String.format("%.2fx", speedups[i]), auto ? "sparse" : "dense");
                    progress.update(++done, layer.name());
                }
                Double c = crossover(SPARSITIES, speedups);
                String shown = c == null ? "above " + pct(SPARSITIES[SPARSITIES.length - 1])
                        : c <= SPARSITIES[0] ? "at or below " + pct(SPARSITIES[0]) : pct(c);
                cross.row(layer.name(), batch, shown);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("layer", layer.name());
                r.put("batch", batch);
                r.put("points", pts);
                r.put("crossover_sparsity", c);
                r.put("crossover", shown);
                rows.add(r);
            }
        }
        progress.finish();
        text.append(table.render()).append("\nCrossover (sparse faster from this sparsity on; linear between swept points):\n")
                .append(cross.render());
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("threads", Parallel.threads());
        j.put("seconds_per_point", perPoint);
        j.put("layers", rows);
        return j;
    }

    private static String pct(double fraction) {
        return String.format("%.1f%%", 100 * fraction);
    }

    private static InferenceExecutor executor(Graph g, SparseMode mode) {
        return InferenceExecutor.of(g, ExecutionOptions.fromSystemProperties().toBuilder().sparse(mode).build());
    }

    /** Whether sparse=auto runs the layer's kernel sparse at this batch. */
    private static boolean autoRunsSparse(Graph g, int batch) {
        return executor(g, SparseMode.AUTO).kernels().stream()
                .anyMatch(k -> k instanceof SparseKernels.SparseKernel s && s.runsSparse(batch));
    }

    /**
     * The sparsity at which the speedup (dense time / sparse time) reaches 1, interpolated linearly
     * between the first pair of swept points that brackets it; the first sparsity when sparse is
     * already faster there; null when it never is.
     */
    static Double crossover(double[] sparsity, double[] speedup) {
        if (speedup[0] >= 1) {
            return sparsity[0];
        }
        for (int i = 1; i < sparsity.length; i++) {
            if (speedup[i] >= 1) {
                double t = (1 - speedup[i - 1]) / (speedup[i] - speedup[i - 1]);
                return sparsity[i - 1] + t * (sparsity[i] - sparsity[i - 1]);
            }
        }
        return null;
    }
}
