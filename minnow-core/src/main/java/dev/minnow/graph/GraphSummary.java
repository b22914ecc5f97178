package dev.minnow.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer size and cost of a graph, what {@code minnow info} prints: for each node its
 * parameters, MACs of one forward pass at batch 1 ({@link Graph#nodeMacs}) and output shape.
 *
 * <p>{@code params} counts learnable parameters the way papers and PyTorch do: elements of
 * the floating-point initializers a node reads in a WEIGHT or BIAS role ({@link InputRole}),
 * each initializer counted once (at its first reader): not batch norm's running mean and
 * variance (STATISTIC, PyTorch's "buffers"), not settings such as Clip bounds, a dropout
 * ratio or Resize scales, not quantization scales. {@link Graph#paramCount()} instead counts
 * every stored element. Per-node bytes are in {@link CostModel}.
 */
public record GraphSummary(List<Layer> layers, long params, long macs) {

    /** One node: name, ONNX op type, parameter count, MACs at batch 1, shape of its first output (-1 = unknown). */
    public record Layer(String name, String op, long params, long macs, int[] outputShape) {
    }

    public GraphSummary {
        layers = List.copyOf(layers);
    }

    /** Summarizes a graph, validating it first when it was edited since its types were inferred. */
    public static GraphSummary of(Graph g) {
        List<OpCost> costs = CostModel.nodeCosts(g);
        List<Layer> rows = new ArrayList<>();
        long params = 0;
        long macs = 0;
        for (int i = 0; i < costs.size(); i++) {
            Node n = g.nodes().get(i);
            OpCost c = costs.get(i);
            TensorType out = n.outputs().isEmpty() ? null : g.type(n.output(0));
            rows.add(new Layer(n.name(), n.opType(), c.params(), c.macs(), out == null ? new int[0] : out.shape().dims()));
            params += c.params();
            macs += c.macs();
        }
        return new GraphSummary(rows, params, macs);
    }
}
