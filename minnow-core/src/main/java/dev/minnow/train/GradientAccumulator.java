package dev.minnow.train;

import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sums parameter gradients over several micro-batches and hands back their mean, so that
 * N micro-batches of size b step like one batch of size N*b (for ops without batch statistics).
 */
public final class GradientAccumulator {
    private final Map<String, float[]> sums = new LinkedHashMap<>();
    private final Map<String, Tensor> shapes = new LinkedHashMap<>();
    private int microBatches;

    public void add(Map<String, Tensor> gradients) {
        gradients.forEach((name, g) -> {
            float[] src = g.floats();
            float[] sum = sums.computeIfAbsent(name, k -> new float[src.length]);
            for (int i = 0; i < src.length; i++) {
                sum[i] += src[i];
            }
            shapes.putIfAbsent(name, g);
        });
        microBatches++;
    }

    public int microBatches() {
        return microBatches;
    }

    /** Mean gradient per parameter over the added micro-batches. */
    public Map<String, Tensor> mean() {
        Map<String, Tensor> r = new LinkedHashMap<>();
        float scale = microBatches == 0 ? 0 : 1f / microBatches;
        sums.forEach((name, sum) -> {
            float[] m = new float[sum.length];
            for (int i = 0; i < m.length; i++) {
                m[i] = sum[i] * scale;
            }
            r.put(name, Tensor.of(shapes.get(name).shape(), m));
        });
        return r;
    }

    public void clear() {
        sums.clear();
        shapes.clear();
        microBatches = 0;
    }
}
