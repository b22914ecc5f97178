package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.PruneRun;
import dev.minnow.data.Dataset;
import dev.minnow.data.Normalization;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.Evaluator;
import dev.minnow.train.Model;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/** The numbers every step records: accuracy, size, non-zero parameters, latency. */
public final class ModelMeasures {
    private ModelMeasures() {
    }

    /** Top-1 on a (preprocessed) dataset through the inference executor, as `minnow eval` runs models. */
    public static double top1(Graph g, Dataset data, Normalization normalization) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        Model m = ex::run;
        return Evaluator.of(m).evaluate(data, normalization, Evaluator.DEFAULT_BATCH_SIZE, null).top1();
    }

    /**
     * Bytes of the weights: 4 per parameter (zeros included, as a dense file stores them), less
     * what narrower weights save at their bits.
     */
    public static long sizeBytes(Graph g, Map<String, Integer> weightBits) {
        double bytes = 4.0 * g.paramCount();
        for (Map.Entry<String, Integer> e : weightBits.entrySet()) {
            Tensor t = g.initializers().get(e.getKey());
            if (t != null) {
                bytes -= t.size() * (32 - e.getValue()) / 8.0;
            }
        }
        return (long) Math.ceil(bytes);
    }

    public static long nonZeroParams(Graph g) {
        return PruneRun.nonZeroParams(g);
    }

    /**
     * Median batch-1 latency in milliseconds over about {@code seconds} of runs (after a warm-up
     * of a fifth of that), on random input.
     */
    public static double latencyMs(Graph g, double seconds) {
        InferenceExecutor ex = InferenceExecutor.of(g, ExecutionOptions.DEFAULT);
        int[] dims = g.inputs().getFirst().type().shape().dims().clone();
        for (int i = 0; i < dims.length; i++) {
            dims[i] = dims[i] < 0 ? 1 : dims[i];
        }
        dims[0] = 1;
        Tensor x = Tensor.zeros(Shape.of(dims));
        SplittableRandom r = new SplittableRandom(7);
        float[] v = x.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        long warmEnd = System.nanoTime() + (long) (seconds * 0.2e9);
        for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) {
            ex.run(x);
        }
        double[] t = new double[10_000];
        int n = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while ((n < 5 || System.nanoTime() < end) && n < t.length) {
            long t0 = System.nanoTime();
            ex.run(x);
            t[n++] = (System.nanoTime() - t0) / 1e6;
        }
        double[] s = Arrays.copyOf(t, n);
        Arrays.sort(s);
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
