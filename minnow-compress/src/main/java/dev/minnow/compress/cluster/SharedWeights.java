package dev.minnow.compress.cluster;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.GradientHook;
import dev.minnow.train.ParameterConstraint;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trained weight sharing (Deep Compression section 3.2) as a trainer seam. Each clustered
 * weight has a cluster per element (-1 for a pruned weight) and a centroid per cluster.
 * <ul>
 * <li>{@link #beforeStep}: every weight's gradient becomes the sum of the gradients of its
 *     cluster, and a pruned weight's gradient becomes 0. All members of a cluster then take the
 *     identical optimizer step (SGD, momentum, Adam and weight decay are elementwise, and the
 *     members start equal with equal optimizer state), so the shared value moves by
 *     lr x the summed gradient under plain SGD, as in the paper.</li>
 * <li>{@link #afterStep}: the centroid is read back as the mean of its members (equal already;
 *     the mean makes it exact whatever the optimizer did) and written to every member; pruned
 *     weights are set to zero. A centroid that lands on exactly 0 is moved to the smallest
 *     float of its old sign, so the zero pattern stays the mask.</li>
 * </ul>
 * <pre>
 * ClusterRun.Result r = ClusterRun.run(pruned, new ClusterRun.Settings(8, 6, CentroidInit.LINEAR, 1));
 * Trainer.of(r.graph()).constraint(r.sharing()).optimizer(Optimizers.sgd(1e-4)).fit(mnist);
 * </pre>
 */
public final class SharedWeights implements ParameterConstraint, GradientHook {
    private final Map<String, int[]> clusters = new LinkedHashMap<>();
    private final Map<String, float[]> centroids = new LinkedHashMap<>();
    private final Map<String, Shape> shapes = new LinkedHashMap<>();

    /**
     * {@code assignments}: per weight, each element's cluster in 0..k-1 or -1 where pruned;
     * {@code centroidsByWeight}: the k shared values. Arrays are copied.
     */
    public static SharedWeights of(Map<String, Tensor> weights, Map<String, int[]> assignments, Map<String, float[]> centroidsByWeight) {
        SharedWeights s = new SharedWeights();
        assignments.forEach((name, a) -> {
            Tensor w = weights.get(name);
            float[] c = centroidsByWeight.get(name);
            if (w == null || w.size() != a.length || c == null) {
                throw new InvalidInputException("cluster assignment for '" + name + "' does not match a weight of the model");
            }
            for (int v : a) {
                if (v < -1 || v >= c.length) {
                    throw new InvalidInputException("cluster " + v + " of '" + name + "' is outside its " + c.length + " centroids");
                }
            }
            s.clusters.put(name, a.clone());
            s.centroids.put(name, c.clone());
            s.shapes.put(name, w.shape());
        });
        return s;
    }

    /** The current centroids (copies), by weight name. */
    public Map<String, float[]> centroids() {
        Map<String, float[]> r = new LinkedHashMap<>();
        centroids.forEach((k, v) -> r.put(k, v.clone()));
        return Collections.unmodifiableMap(r);
    }

    /** Each element's cluster, -1 where pruned (copies), by weight name. */
    public Map<String, int[]> assignments() {
        Map<String, int[]> r = new LinkedHashMap<>();
        clusters.forEach((k, v) -> r.put(k, v.clone()));
        return Collections.unmodifiableMap(r);
    }

    /** Writes the centroids into the weights (and zeros where pruned). */
    public void apply(Map<String, Tensor> parameters) {
        clusters.forEach((name, a) -> {
            float[] w = parameter(parameters, name).floats();
            float[] c = centroids.get(name);
            for (int i = 0; i < a.length; i++) {
                w[i] = a[i] < 0 ? 0f : c[a[i]];
            }
        });
    }

    @Override
    public void beforeStep(Map<String, Tensor> parameters, Map<String, Tensor> gradients, long step) {
        clusters.forEach((name, a) -> {
            Tensor g = gradients.get(name);
            if (g == null) {
                return; // frozen: nothing moves
            }
            float[] grad = g.floats();
            double[] sum = new double[centroids.get(name).length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] >= 0) {
                    sum[a[i]] += grad[i];
                }
            }
            for (int i = 0; i < a.length; i++) {
                grad[i] = a[i] < 0 ? 0f : (float) sum[a[i]];
            }
        });
    }

    @Override
    public void afterStep(Map<String, Tensor> parameters, long step) {
        clusters.forEach((name, a) -> {
            float[] w = parameter(parameters, name).floats();
            float[] c = centroids.get(name);
            double[] sum = new double[c.length];
            int[] count = new int[c.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] >= 0) {
                    sum[a[i]] += w[i];
                    count[a[i]]++;
                }
            }
            for (int j = 0; j < c.length; j++) {
                if (count[j] > 0) {
                    float m = (float) (sum[j] / count[j]);
                    c[j] = m != 0f ? m : Math.copySign(Float.MIN_VALUE, c[j]);
                }
            }
        });
        apply(parameters);
    }

    private Tensor parameter(Map<String, Tensor> parameters, String name) {
        Tensor p = parameters.get(name);
        if (p == null || p.size() != clusters.get(name).length) {
            throw new InvalidInputException("clustered weight '" + name + "' is not a parameter of the model being trained");
        }
        return p;
    }

    @Override
    public Map<String, Tensor> state() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        clusters.forEach((name, a) -> {
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                f[i] = a[i]; // cluster ids below 2^24 are exact in a float
            }
            r.put(name + "/clusters", Tensor.of(shapes.get(name), f));
            r.put(name + "/centroids", Tensor.of(Shape.of(centroids.get(name).length), centroids.get(name).clone()));
        });
        return r;
    }

    @Override
    public void loadState(Map<String, Tensor> state) {
        clusters.keySet().forEach(name -> {
            Tensor a = state.get(name + "/clusters");
            Tensor c = state.get(name + "/centroids");
            if (a == null || c == null) {
                return;
            }
            int[] ids = new int[a.size()];
            float[] f = a.floats();
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) f[i];
            }
            clusters.put(name, ids);
            centroids.put(name, c.floats().clone());
        });
    }

    @Override
    public String describe() {
        return "shared-weights(" + clusters.size() + " weights)";
    }
}
