package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * LinearAttention(query, key, value [B, T, heads * d], past_state?, decay?, beta?, erase_gate?)
 * (opset 27): a recurrent state S [B, kv heads, d_k, d_v] per step t: gated rules first decay
 * S by exp(decay_t) (per head or per key dim); delta rules replace v_t by
 * beta_t (v_t - S^T (e_t k_t)) (e_t the optional erase gate); then S += k_t v_t^T and the
 * output is scale q_t^T S (query heads share kv heads in order). update_rule linear, gated,
 * delta or gated_delta (default). Outputs the [B, T, q heads * d_v] output and the final state.
 * Not differentiable.
 */
final class LinearAttention extends AbstractOp {
    private final int qHeads;
    private final int kvHeads;
    private final double scaleAttr;
    private final boolean gating;
    private final boolean delta;

    LinearAttention(Attributes a) {
        super("LinearAttention", a);
        qHeads = (int) a.getInt("q_num_heads", 0);
        kvHeads = (int) a.getInt("kv_num_heads", 0);
        if (qHeads <= 0 || kvHeads <= 0 || qHeads % kvHeads != 0) {
            throw shapeError("q_num_heads (" + qHeads + ") must be a positive multiple of kv_num_heads (" + kvHeads + ")");
        }
        scaleAttr = a.getFloat("scale", 0);
        String rule = a.getString("update_rule", "gated_delta");
        if (!List.of("linear", "gated", "delta", "gated_delta").contains(rule)) {
            throw unsupported("update_rule", rule, "linear, gated, delta, gated_delta");
        }
        gating = rule.startsWith("gated");
        delta = rule.endsWith("delta");
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType q = required(inputs, 0);
        TensorType k = required(inputs, 1);
        TensorType v = required(inputs, 2);
        int b = q.shape().dim(0);
        int t = q.shape().dim(1);
        int dk = k.shape().dim(2) / kvHeads;
        int dv = v.shape().dim(2) / kvHeads;
        TensorType past = inputs.size() > 3 ? inputs.get(3) : null;
        return List.of(new TensorType(q.dtype(), Shape.of(b, t, qHeads * dv)),
                new TensorType(past != null ? past.dtype() : q.dtype(), Shape.of(b, kvHeads, dk, dv)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor query = inputs[0];
        int b = query.shape().dim(0);
        int t = query.shape().dim(1);
        int dk = inputs[1].shape().dim(2) / kvHeads;
        int dv = inputs[2].shape().dim(2) / kvHeads;
        int group = qHeads / kvHeads;
        double[] q = Elems.doubles(query);
        double[] k = Elems.doubles(inputs[1]);
        double[] v = Elems.doubles(inputs[2]);
        Tensor pastT = input(inputs, 3);
        Tensor decayT = input(inputs, 4);
        Tensor betaT = input(inputs, 5);
        Tensor eraseT = input(inputs, 6);
        if (gating != (decayT != null) || delta != (betaT != null) || eraseT != null && !delta) {
            throw shapeError("the inputs decay, beta and erase_gate do not match the update rule");
        }
        double[] state = pastT == null ? new double[b * kvHeads * dk * dv] : Elems.doubles(pastT);
        double[] decay = decayT == null ? null : Elems.doubles(decayT);
        int decayWidth = decayT == null ? 0 : decayT.shape().dim(2);
        double[] beta = betaT == null ? null : Elems.doubles(betaT);
        int betaWidth = betaT == null ? 0 : betaT.shape().dim(2);
        double[] erase = eraseT == null ? null : Elems.doubles(eraseT);
        double scale = scaleAttr == 0 ? 1 / Math.sqrt(dk) : scaleAttr;
        double[] out = new double[b * t * qHeads * dv];
        double[] vt = new double[dv];
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int step = bi * t + ti;
                for (int h = 0; h < kvHeads; h++) {
                    int s0 = (bi * kvHeads + h) * dk * dv;
                    int kOff = (step * kvHeads + h) * dk;
                    if (gating) {
                        for (int d = 0; d < dk; d++) {
                            double g = Math.exp(decayWidth == kvHeads ? decay[step * kvHeads + h] : decay[(step * kvHeads + h) * dk + d]);
                            for (int m = 0; m < dv; m++) {
                                state[s0 + d * dv + m] *= g;
                            }
                        }
                    }
                    for (int m = 0; m < dv; m++) {
                        vt[m] = v[(step * kvHeads + h) * dv + m];
                    }
                    if (delta) {
                        double bt = beta[step * betaWidth + (betaWidth == 1 ? 0 : h)];
                        for (int m = 0; m < dv; m++) {
                            double retrieved = 0;
                            for (int d = 0; d < dk; d++) {
                                double ke = k[kOff + d] * (erase == null ? 1 : erase[kOff + d]);
                                retrieved += state[s0 + d * dv + m] * ke;
                            }
                            vt[m] = bt * (vt[m] - retrieved);
                        }
                    }
                    for (int d = 0; d < dk; d++) {
                        for (int m = 0; m < dv; m++) {
                            state[s0 + d * dv + m] += k[kOff + d] * vt[m];
                        }
                    }
                    for (int g = 0; g < group; g++) {
                        int hq = h * group + g;
                        int qOff = (step * qHeads + hq) * dk;
                        for (int m = 0; m < dv; m++) {
                            double o = 0;
                            for (int d = 0; d < dk; d++) {
                                o += q[qOff + d] * state[s0 + d * dv + m];
                            }
                            out[(step * qHeads + hq) * dv + m] = scale * o;
                        }
                    }
                }
            }
        }
        DType stateType = pastT != null ? pastT.dtype() : query.dtype();
        return new Tensor[] {Elems.fromDoubles(query.dtype(), Shape.of(b, t, qHeads * dv), out),
            Elems.fromDoubles(stateType, Shape.of(b, kvHeads, dk, dv), state)};
    }
}
