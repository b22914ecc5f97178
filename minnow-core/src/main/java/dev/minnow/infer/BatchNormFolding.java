package dev.minnow.infer;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Folds an inference-mode BatchNormalization into the Conv that feeds it:
 * s = scale / sqrt(var + eps), W'[m] = W[m] * s[m], B'[m] = (B[m] - mean[m]) * s[m] + beta[m].
 * Applies when the Conv's output feeds only that BatchNormalization (and is no graph output)
 * and the weights and the four statistics are float32 initializers. New initializers get new
 * names, so weights shared with other nodes stay untouched.
 */
public final class BatchNormFolding implements GraphPass {
    @Override
    public String name() {
        return "bn-folding";
    }

    /** Rewrites graph in place (validates it); returns how many BatchNormalizations it folded. */
    public static int fold(Graph graph) {
        GraphEditor e = new GraphEditor(graph);
        long folded = new BatchNormFolding().apply(e).count("folded");
        e.commit();
        return (int) folded;
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder record = PassRecord.of(name());
        record.count("folded", 0);
        for (Node bn : List.copyOf(e.graph().nodes())) {
            if (!bn.opType().equals("BatchNormalization") || !e.onlyFirstOutputUsed(bn)) {
                continue;
            }
            Node conv = e.producer(bn.input(0));
            if (conv == null || !conv.opType().equals("Conv") || !e.soleReader(conv.output(0), bn)) {
                continue;
            }
            Tensor w = e.initializer(conv.input(1));
            Tensor b = conv.input(2).isEmpty() ? null : e.initializer(conv.input(2));
            Tensor[] stats = new Tensor[4];
            boolean constant = isFloat(w) && (conv.input(2).isEmpty() || isFloat(b));
            for (int k = 0; k < 4; k++) {
                stats[k] = e.initializer(bn.input(k + 1));
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
            // new names: weights shared with other nodes stay untouched
            String wName = e.addInitializer(conv.name() + "_W_bnfolded", Tensor.wrap(DType.FLOAT32, w.shape(), w2));
            String bName = e.addInitializer(conv.name() + "_B_bnfolded", Tensor.of(Shape.of(m), b2));
            e.replaceNode(conv, new Node(conv.name(), conv.domain(), conv.op(), List.of(conv.input(0), wName, bName),
                    List.of(bn.output(0))));
            e.removeNode(bn);
            record.count("folded", 1).change(bn.name() + " folded into " + conv.name());
        }
        e.removeUnusedInitializers();
        return record.build();
    }

    private static boolean isFloat(Tensor t) {
        return t != null && t.dtype() == DType.FLOAT32;
    }
}
