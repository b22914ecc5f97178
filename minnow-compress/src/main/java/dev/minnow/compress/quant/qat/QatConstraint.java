package dev.minnow.compress.quant.qat;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.ParameterConstraint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps a QAT graph's quantizers valid through training, after every optimizer step: a weight
 * quantizer whose step is not learned follows its weight (per channel, max|w| / qmax, as an
 * observer left on during QAT would), learned steps stay positive (LSQ's update can overshoot
 * zero early on) and PACT clip values stay above a small floor. Writes into the graph's own
 * initializer tensors, which are the ones the trainer updates.
 */
public final class QatConstraint implements ParameterConstraint {
    /** Smallest learned step or clip value kept. */
    static final float FLOOR = 1e-6f;

    private record Tracked(Tensor weight, Tensor scale, int axis, long qmax) {
    }

    private final List<Tracked> tracked = new ArrayList<>();
    private final List<Tensor> positive = new ArrayList<>();

    public QatConstraint(Graph g) {
        for (Node n : g.nodes()) {
            if (n.opType().equals("FakeQuantize")) {
                Tensor scale = g.initializers().get(n.input(1));
                if (scale == null) {
                    continue;
                }
                Tensor w = g.initializers().get(n.input(0));
                if (n.attributes().getFloat("lsq_grad_scale", 0) > 0) {
                    positive.add(scale);
                } else if (w != null) {
                    tracked.add(new Tracked(w, scale, (int) n.attributes().getInt("axis", 1), n.attributes().getInt("qmax", 127)));
                }
            } else if (n.opType().equals("Clip") && n.inputs().size() > 2 && n.input(2).endsWith(QatPrepare.PACT_ALPHA)) {
                Tensor alpha = g.initializers().get(n.input(2));
                if (alpha != null) {
                    positive.add(alpha);
                }
            }
        }
    }

    @Override
    public void afterStep(Map<String, Tensor> parameters, long step) {
        for (Tensor t : positive) {
            float[] v = t.floats();
            for (int i = 0; i < v.length; i++) {
                if (!(v[i] >= FLOOR)) {
                    v[i] = FLOOR;
                }
            }
        }
        for (Tracked t : tracked) {
            follow(t);
        }
    }

    private static void follow(Tracked t) {
        float[] w = t.weight().floats();
        float[] s = t.scale().floats();
        int channels = s.length;
        int inner = 1;
        for (int d = t.axis() + 1; d < t.weight().shape().rank(); d++) {
            inner *= t.weight().shape().dim(d);
        }
        float[] amax = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = channels == 1 ? 0 : (i / inner) % channels;
            amax[c] = Math.max(amax[c], Math.abs(w[i]));
        }
        for (int c = 0; c < channels; c++) {
            // as QuantScheme.scaleAndZeroPoint: an all-zero channel gets step 1
            s[c] = amax[c] > 0 ? amax[c] / t.qmax() : 1f;
        }
    }

    @Override
    public String describe() {
        return "qat(" + tracked.size() + " weight ranges followed, " + positive.size() + " learned values kept positive)";
    }
}
