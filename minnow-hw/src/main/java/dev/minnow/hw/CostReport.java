package dev.minnow.hw;

import dev.minnow.graph.CostModel;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpCost;
import dev.minnow.graph.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer cost of a model, what {@code minnow info} shows: each node's MACs, params, bytes
 * read and written, and roofline arithmetic intensity (FLOPs per byte), with the model's
 * totals. Built from core's cost records ({@link CostModel}), so core, CLI and later
 * hardware models (energy tables, accelerator simulators) count the same way.
 */
public record CostReport(List<LayerCost> layers, long params, long macs, long bytesRead, long bytesWritten,
                         long weightBytes, long activationBytes) {
    public CostReport {
        layers = List.copyOf(layers);
    }

    /** The report of a graph, validating it first when it was edited since its types were inferred. */
    public static CostReport of(Graph g) {
        List<OpCost> costs = CostModel.nodeCosts(g);
        List<LayerCost> rows = new ArrayList<>(costs.size());
        long params = 0;
        long macs = 0;
        long read = 0;
        long written = 0;
        long weights = 0;
        for (int i = 0; i < costs.size(); i++) {
            Node n = g.nodes().get(i);
            OpCost c = costs.get(i);
            long w = 0;
            for (String in : n.inputs()) {
                if (!in.isEmpty() && g.initializers().containsKey(in)) {
                    w += CostModel.tensorBytes(g.type(in));
                }
            }
            TensorType out = n.outputs().isEmpty() ? null : g.type(n.output(0));
            rows.add(new LayerCost(n.name(), n.opType(), c.params(), c.macs(), c.bytesRead(), c.bytesWritten(),
                    w, c.bytesMoved() - w, out == null ? new int[0] : out.shape().dims()));
            params += c.params();
            macs += c.macs();
            read += c.bytesRead();
            written += c.bytesWritten();
            weights += w;
        }
        return new CostReport(rows, params, macs, read, written, weights, read + written - weights);
    }

    /** The model's FLOPs per byte when every layer's tensors go through memory once (no fusion, no cache reuse). */
    public double arithmeticIntensity() {
        return intensity(macs, bytesRead + bytesWritten);
    }

    /** One definition of intensity for layers and totals: {@link OpCost#arithmeticIntensity()}. */
    static double intensity(long macs, long bytes) {
        return new OpCost(macs, 0, bytes, 0).arithmeticIntensity();
    }
}
