package dev.minnow.compress.quant;

import dev.minnow.graph.Graph;
import java.util.Map;

/**
 * A float graph whose quantized weights already sit on their grids, with the parameters of each
 * grid keyed by weight initializer name: what the QDQ export takes as fixed weight parameters
 * (quantizing those weights again with these parameters changes nothing).
 */
public record QuantizedWeights(Graph graph, Map<String, QuantParams> weightParams) {
    public QuantizedWeights {
        weightParams = Map.copyOf(weightParams);
    }
}
