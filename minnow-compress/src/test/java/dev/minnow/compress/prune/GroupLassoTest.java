package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupLassoTest {
    @Test
    void gradientMatchesFiniteDifferencesInDouble() {
        Graph g = Zoo.build("resnet20", 2);
        SplittableRandom r = new SplittableRandom(3);
        Map<String, Tensor> params = new LinkedHashMap<>();
        g.initializers().forEach((k, v) -> {
            if (v.dtype().isFloating() && v.size() > 1) {
                for (int i = 0; i < v.size(); i++) {
                    v.floats()[i] = (float) r.nextGaussian();
                }
                params.put(k, v);
            }
        });
        GroupLasso lasso = new GroupLasso(ChannelDependencies.of(g), 0.01);
        Map<String, Tensor> grads = new HashMap<>();
        double value = lasso.apply(params, grads);
        assertTrue(value > 0);
        int checked = 0;
        for (String name : params.keySet()) {
            if (!grads.containsKey(name) || checked >= 12) {
                continue;
            }
            float[] w = params.get(name).floats();
            for (int i : new int[] {0, w.length / 2, w.length - 1}) {
                float saved = w[i];
                double h = 1e-2 * Math.max(1e-3, Math.abs(saved));
                w[i] = (float) (saved + h);
                double hp = w[i] - saved;
                double up = lasso.apply(params, new HashMap<>());
                w[i] = (float) (saved - h);
                double hm = saved - w[i];
                double down = lasso.apply(params, new HashMap<>());
                w[i] = saved;
                double numeric = (up - down) / (hp + hm);
                double analytic = grads.get(name).floats()[i];
                assertEquals(numeric, analytic, 2e-3 * Math.max(1e-4, Math.abs(numeric)) + 1e-7, name + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked >= 12, "checked " + checked);
    }
}
