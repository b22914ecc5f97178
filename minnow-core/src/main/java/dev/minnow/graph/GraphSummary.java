package dev.minnow.graph;

import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-layer size and cost of a graph, what {@code minnow info} prints: for each node its
 * parameters, MACs of one forward pass at batch 1 ({@link Graph#nodeMacs}) and output shape.
 *
 * <p>{@code params} counts learnable parameters the way papers and PyTorch do: elements of
 * the floating-point initializers a node reads, each initializer counted once (at its
 * first reader), but not batch norm's running mean and variance (statistics, PyTorch's
 * "buffers") and not scalar constants (op settings such as Clip bounds or a dropout
 * ratio). {@link Graph#paramCount()} instead counts every stored element.
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
        if (!g.isValidated()) {
            g.validate();
        }
        List<Layer> rows = new ArrayList<>();
        Set<String> counted = new HashSet<>();
        long params = 0;
        long macs = 0;
        for (Node n : g.nodes()) {
            long p = 0;
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.inputs().get(i);
                Tensor t = g.initializers().get(in);
                if (t != null && isLearnable(n, i, t) && counted.add(in)) {
                    p += t.size();
                }
            }
            long m = g.nodeMacs(n);
            TensorType out = n.outputs().isEmpty() ? null : g.type(n.output(0));
            rows.add(new Layer(n.name(), n.opType(), p, m, out == null ? new int[0] : out.shape().dims()));
            params += p;
            macs += m;
        }
        return new GraphSummary(rows, params, macs);
    }

    /** Floating initializers in a weight slot ({@link ParameterRoles}: not settings, not BN statistics). */
    private static boolean isLearnable(Node n, int input, Tensor t) {
        return t.dtype().isFloating() && ParameterRoles.isWeightSlot(n, input, t);
    }
}
