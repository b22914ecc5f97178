package dev.minnow.compress.quant;

import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.infer.BatchNormFolding;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization", section 4.1). For two
 * convolutions A -> [Relu] -> B, ReLU(x / s) = ReLU(x) / s for s > 0, so output channel i of A
 * (weights and bias) may be divided by s_i and input channel i of B multiplied by it without
 * changing the function. With r1_i the range of A's output channel i and r2_i that of B's input
 * channel i, s_i = sqrt(r1_i / r2_i) makes both sqrt(r1_i r2_i): the paper's optimum for the
 * per-tensor precision of the pair. Channels whose range is much smaller than the tensor's
 * otherwise round to a handful of levels (MobileNets' depthwise layers after batch-norm folding).
 *
 * <p>Batch norm is folded first. Pairs: Conv -> Conv and Conv -> Relu -> Conv where the middle
 * value has no other reader (depthwise -> pointwise and pointwise -> depthwise included, any group
 * count on either side). Clip (ReLU6) is not crossed: its bound would have to scale per channel;
 * replace it by Relu before this pass if that is acceptable. Chains are swept until the scales
 * stop moving (a layer in two pairs is pulled both ways).
 */
public final class CrossLayerEqualization implements GraphPass {
    private final int maxSweeps;
    private final double tolerance;

    /** maxSweeps: passes over all pairs at most; tolerance: stop when no |s - 1| exceeds it. */
    public CrossLayerEqualization(int maxSweeps, double tolerance) {
        this.maxSweeps = maxSweeps;
        this.tolerance = tolerance;
    }

    public CrossLayerEqualization() {
        this(50, 1e-6);
    }

    @Override
    public String name() {
        return "cross-layer-equalization";
    }

    private record Pair(String first, String second, String w1, String b1, String w2, int groups2) {
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder r = PassRecord.of(name()).setting("max_sweeps", maxSweeps).setting("tolerance", tolerance);
        long folded = new BatchNormFolding().apply(e).count("folded");
        e.commit();
        r.count("bn_folded", folded);
        List<Pair> pairs = pairs(e);
        r.count("pairs", pairs.size());
        int sweeps = 0;
        double moved = Double.POSITIVE_INFINITY;
        while (!pairs.isEmpty() && sweeps < maxSweeps && moved > tolerance) {
            moved = 0;
            for (Pair p : pairs) {
                moved = Math.max(moved, equalize(e, p));
            }
            sweeps++;
        }
        r.count("sweeps", sweeps);
        for (Pair p : pairs) {
            r.change(p.first + " -> " + p.second);
        }
        return r.build();
    }

    private static List<Pair> pairs(GraphEditor e) {
        List<Pair> out = new ArrayList<>();
        for (Node a : e.graph().nodes()) {
            if (!isConv(e, a) || e.isGraphOutput(a.output(0)) || e.readers(a.output(0)).size() != 1) {
                continue;
            }
            Node next = e.readers(a.output(0)).getFirst();
            String mid = a.output(0);
            if (next.opType().equals("Relu")) {
                mid = next.output(0);
                if (e.isGraphOutput(next.output(0)) || e.readers(next.output(0)).size() != 1) {
                    continue;
                }
                next = e.readers(next.output(0)).getFirst();
            }
            if (!isConv(e, next) || !next.input(0).equals(mid)) {
                continue;
            }
            int groups2 = (int) next.attributes().getInt("group", 1);
            if (e.initializer(a.input(1)).shape().dim(0) != e.initializer(next.input(1)).shape().dim(1) * groups2) {
                continue;
            }
            String b1 = a.inputs().size() > 2 && !a.input(2).isEmpty() ? a.input(2) : null;
            if (b1 != null && (e.initializer(b1) == null || e.readers(b1).size() != 1)) {
                continue;
            }
            out.add(new Pair(a.name(), next.name(), a.input(1), b1, next.input(1), groups2));
        }
        return out;
    }

    /** A 2-D Conv with a float32 constant weight read by no other node. */
    private static boolean isConv(GraphEditor e, Node n) {
        if (!n.opType().equals("Conv") || n.inputs().size() < 2) {
            return false;
        }
        Tensor w = e.initializer(n.input(1));
        return w != null && w.dtype() == DType.FLOAT32 && w.shape().rank() == 4 && e.readers(n.input(1)).size() == 1;
    }

    /** One equalization step of a pair; returns the largest |s_i - 1|. */
    private static double equalize(GraphEditor e, Pair p) {
        Tensor w1t = e.initializer(p.w1);
        Tensor w2t = e.initializer(p.w2);
        float[] w1 = w1t.floats().clone();
        float[] w2 = w2t.floats().clone();
        int channels = w1t.shape().dim(0);
        int per1 = w1.length / channels;
        int m2 = w2t.shape().dim(0);
        int cpg = w2t.shape().dim(1); // input channels per group of the second conv
        int k2 = w2t.shape().dim(2) * w2t.shape().dim(3);
        int mg = m2 / p.groups2;
        float[] b1 = p.b1 == null ? null : e.initializer(p.b1).floats().clone();
        double moved = 0;
        for (int i = 0; i < channels; i++) {
            double r1 = 0;
            for (int j = 0; j < per1; j++) {
                r1 = Math.max(r1, Math.abs(w1[i * per1 + j]));
            }
            int group = i / cpg;
            int local = i % cpg;
            double r2 = 0;
            for (int o = group * mg; o < (group + 1) * mg; o++) {
                int base = (o * cpg + local) * k2;
                for (int j = 0; j < k2; j++) {
                    r2 = Math.max(r2, Math.abs(w2[base + j]));
                }
            }
            if (r1 == 0 || r2 == 0) {
                continue; // a dead channel: no scale makes it better
            }
            double s = Math.sqrt(r1 / r2);
            moved = Math.max(moved, Math.abs(s - 1));
            for (int j = 0; j < per1; j++) {
                w1[i * per1 + j] = (float) (w1[i * per1 + j] / s);
            }
            if (b1 != null) {
                b1[i] = (float) (b1[i] / s);
            }
            for (int o = group * mg; o < (group + 1) * mg; o++) {
                int base = (o * cpg + local) * k2;
                for (int j = 0; j < k2; j++) {
                    w2[base + j] = (float) (w2[base + j] * s);
                }
            }
        }
        e.replaceInitializer(p.w1, Tensor.of(w1t.shape(), w1));
        e.replaceInitializer(p.w2, Tensor.of(w2t.shape(), w2));
        if (b1 != null) {
            e.replaceInitializer(p.b1, Tensor.of(e.initializer(p.b1).shape(), b1));
        }
        return moved;
    }
}
