package dev.minnow.infer;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Folds an inference-mode BatchNormalization into the Conv that feeds it:
 * s = scale / sqrt(var + eps), W'[m] = W[m] * s[m], B'[m] = (B[m] - mean[m]) * s[m] + beta[m].
 * Applies when the Conv's output feeds only that BatchNormalization (and is no graph output)
 * and the weights and the four statistics are float32 initializers. New initializers get new
 * names, so weights shared with other nodes stay untouched.
 */
public final class BatchNormFolding {
    private BatchNormFolding() {
    }

    /** Rewrites graph in place (call validate afterwards); returns how many BatchNormalizations it folded. */
    public static int fold(Graph graph) {
        Map<String, Tensor> init = graph.initializers();
        List<String> outputs = graph.outputs().stream().map(Value::name).toList();
        List<Node> nodes = new ArrayList<>(graph.nodes());
        int folded = 0;
        for (int i = 0; i < nodes.size(); i++) {
            Node bn = nodes.get(i);
            if (!bn.opType().equals("BatchNormalization") || !onlyFirstOutputUsed(graph, bn, outputs)) {
                continue;
            }
            Node conv = graph.producer(bn.input(0));
            if (conv == null || !conv.opType().equals("Conv") || outputs.contains(conv.output(0))
                    || graph.consumers(conv.output(0)).size() != 1) {
                continue;
            }
            Tensor w = init.get(conv.input(1));
            Tensor b = conv.input(2).isEmpty() ? null : init.get(conv.input(2));
            Tensor[] stats = new Tensor[4];
            boolean constant = isFloat(w) && (conv.input(2).isEmpty() || isFloat(b));
            for (int k = 0; k < 4; k++) {
                stats[k] = init.get(bn.input(k + 1));
                constant &= isFloat(stats[k]);
            }
            int m = constant ? w.shape().dim(0) : 0;
            if (!constant || stats[0].size() != m || stats[1].size() != m || stats[2].size() != m
                    || stats[3].size() != m) {
                continue;
            }
            double eps = bn.attributes().getFloat("epsilon", 1e-5);
            float[] wf = w.floats();
            float[] w2 = new float[wf.length];
            float[] b2 = new float[m];
            int per = wf.length / m;
            for (int c = 0; c < m; c++) {
                double s = stats[0].floats()[c] / Math.sqrt(stats[3].floats()[c] + eps);
                for (int j = 0; j < per; j++) {
                    w2[c * per + j] = (float) (wf[c * per + j] * s);
                }
                double bias = b == null ? 0 : b.floats()[c];
                b2[c] = (float) ((bias - stats[2].floats()[c]) * s + stats[1].floats()[c]);
            }
            String wName = unique(init, conv.name() + "_W_bnfolded");
            init.put(wName, Tensor.wrap(DType.FLOAT32, w.shape(), w2));
            String bName = unique(init, conv.name() + "_B_bnfolded");
            init.put(bName, Tensor.of(dev.minnow.tensor.Shape.of(m), b2));
            Node folded2 = new Node(conv.name(), conv.domain(), conv.op(), List.of(conv.input(0), wName, bName),
                    List.of(bn.output(0)));
            nodes.set(nodes.indexOf(conv), folded2);
            nodes.remove(i);
            i--;
            graph.setNodes(nodes);
            folded++;
        }
        graph.setNodes(nodes);
        removeUnused(graph);
        return folded;
    }

    private static boolean onlyFirstOutputUsed(Graph graph, Node bn, List<String> outputs) {
        for (int o = 1; o < bn.outputs().size(); o++) {
            String name = bn.output(o);
            if (!name.isEmpty() && (outputs.contains(name) || !graph.consumers(name).isEmpty())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFloat(Tensor t) {
        return t != null && t.dtype() == DType.FLOAT32;
    }

    private static String unique(Map<String, Tensor> init, String base) {
        String name = base;
        for (int k = 2; init.containsKey(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }

    /** Drops initializers no node reads and that are no graph input or output. */
    private static void removeUnused(Graph graph) {
        java.util.Set<String> used = new java.util.HashSet<>();
        graph.nodes().forEach(n -> used.addAll(n.inputs()));
        graph.inputs().forEach(v -> used.add(v.name()));
        graph.outputs().forEach(v -> used.add(v.name()));
        graph.initializers().keySet().removeIf(k -> !used.contains(k));
    }
}
