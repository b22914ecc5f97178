package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Round-to-nearest weight quantization (min-max ranges, ONNX rounding) of every quantizable
 * layer: the baseline AdaRound is measured against, and the grid it starts from.
 */
public final class WeightRounding {
    private WeightRounding() {
    }

    /** The graph with batch norm folded (a copy) and its quantizable layers; fails when there are none. */
    static Graph folded(Graph graph) {
        Graph g = new BatchNormFolding().run(graph).graph();
        if (WeightLayer.find(g).isEmpty()) {
            throw new InvalidInputException("graph '" + graph.name() + "' has no quantizable layer (Conv, Gemm or "
                    + "MatMul with a constant weight used by one node)");
        }
        return g;
    }

    /** Min-max parameters of a layer's weight under scheme (per channel along its output axis). */
    static QuantParams params(WeightLayer l, Tensor w, QuantScheme scheme) {
        Observer o = scheme.perChannel() ? MinMaxObserver.perChannel(l.channelAxis()) : MinMaxObserver.perTensor();
        o.observe(w);
        return o.params(scheme);
    }

    /** Every layer's weight rounded to the nearest level (batch norm folded first); bitsByNode overrides bits. */
    public static QuantizedWeights nearest(Graph graph, QuantScheme scheme, Map<String, Integer> bitsByNode) {
        Graph g = folded(graph);
        GraphEditor e = new GraphEditor(g);
        Map<String, QuantParams> params = new LinkedHashMap<>();
        for (WeightLayer l : WeightLayer.find(g)) {
            QuantScheme s = scheme.withBits(bitsByNode.getOrDefault(l.node(), scheme.bits()));
            Tensor w = g.initializers().get(l.weight());
            QuantParams p = params(l, w, s);
            e.replaceInitializer(l.weight(), p.fakeQuantize(w));
            params.put(l.weight(), p);
        }
        return new QuantizedWeights(e.commit(), params);
    }

    public static QuantizedWeights nearest(Graph graph, QuantScheme scheme) {
        return nearest(graph, scheme, Map.of());
    }

    /** The node names of the layers these passes quantize, in topological order (after BN folding). */
    public static List<String> quantizableNodes(Graph graph) {
        return WeightLayer.find(new BatchNormFolding().run(graph).graph()).stream().map(WeightLayer::node).toList();
    }
}
