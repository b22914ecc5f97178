package dev.minnow.hw.eie;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's fully connected layers with their stored weights as EIE's {@code out x in}
 * matrices (y = W a), zeros as they are in the model: a pruned model's real non-zero pattern
 * decides the load balance.
 */
public final class ModelFcLayers {
    private ModelFcLayers() {
    }

    public record Fc(String name, int rows, int cols, float[] weights) {
    }

    public static List<Fc> of(Graph g) {
        if (!g.isValidated()) {
            g.validate();
        }
        List<Fc> out = new ArrayList<>();
        for (Node n : g.nodes()) {
            boolean gemm = n.opType().equals("Gemm");
            if (!gemm && !n.opType().equals("MatMul")) {
                continue;
            }
            Tensor b = g.initializers().get(n.input(1));
            if (b == null || b.shape().rank() != 2) {
                continue;
            }
            float[] v = b.floats();
            int d0 = b.shape().dim(0);
            int d1 = b.shape().dim(1);
            boolean transB = gemm && n.attributes().getInt("transB", 0) != 0;
            if (transB) {
                out.add(new Fc(n.name(), d0, d1, v.clone()));
            } else {
                float[] w = new float[v.length];
                for (int k = 0; k < d0; k++) {
                    for (int o = 0; o < d1; o++) {
                        w[o * d0 + k] = v[k * d1 + o];
                    }
                }
                out.add(new Fc(n.name(), d1, d0, w));
            }
        }
        return out;
    }
}
