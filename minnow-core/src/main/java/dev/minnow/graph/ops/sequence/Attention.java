package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.tensor.Transpose;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Attention(Q, K, V, attn_mask?, past_key?, past_value?, nonpad_kv_seqlen?) (opsets 23/24):
 * softmax(scale Q K^T + bias) V per head, with grouped-query heads (q heads share kv heads in
 * order), a key/value cache (past concatenated before the new keys; outputs present_key and
 * present_value), a boolean (true = attend) or additive mask padded with -inf to the key
 * length, is_causal (query i sees keys up to i + past length), softcap and the optional
 * qk_matmul_output (mode 0: Q K^T scaled, 1: after softcap, 2: plus the bias, 3: softmax).
 * Softcap comes before the bias so that masked scores stay -inf.
 * Q, K, V are [B, heads, S, D] or [B, S, heads * D] with q_num_heads / kv_num_heads.
 * A direct loop in double, for small models and conformance. Backward gives Q, K, V, past_key
 * and past_value their gradients.
 */
final class Attention extends AbstractOp {
    private final boolean causal;
    private final int qHeadsAttr;
    private final int kvHeadsAttr;
    private final int qkMode;
    private final Double scaleAttr;
    private final double softcap;

    Attention(Attributes a) {
        super("Attention", a);
        causal = a.getInt("is_causal", 0) != 0;
        qHeadsAttr = (int) a.getInt("q_num_heads", 0);
        kvHeadsAttr = (int) a.getInt("kv_num_heads", 0);
        qkMode = (int) a.getInt("qk_matmul_output_mode", 0);
        if (qkMode < 0 || qkMode > 3) {
            throw unsupported("qk_matmul_output_mode", qkMode, "0, 1, 2, 3");
        }
        scaleAttr = a.has("scale") ? a.getFloat("scale", 1) : null;
        softcap = a.getFloat("softcap", 0);
    }

    /** Sizes: batch, q heads, kv heads, q length, new kv length, past length, head size, v head size. */
    private record Dims(int b, int hq, int hkv, int sq, int skv, int past, int d, int dv, boolean threeD) {
        int total() {
            return past + skv;
        }
    }

    private Dims dims(Shape q, Shape k, Shape v, Shape pastKey) {
        boolean threeD = q.rank() == 3;
        if (threeD && (qHeadsAttr <= 0 || kvHeadsAttr <= 0)) {
            throw shapeError("3-D Q, K, V need the attributes q_num_heads and kv_num_heads");
        }
        int hq = threeD ? qHeadsAttr : q.dim(1);
        int hkv = threeD ? kvHeadsAttr : k.dim(1);
        int sq = threeD ? q.dim(1) : q.dim(2);
        int skv = threeD ? k.dim(1) : k.dim(2);
        int d = threeD ? q.dim(2) / hq : q.dim(3);
        int dv = threeD ? v.dim(2) / hkv : v.dim(3);
        int past = pastKey == null ? 0 : pastKey.dim(2);
        if (hkv <= 0 || hq % hkv != 0) {
            throw shapeError("q heads " + hq + " must be a multiple of kv heads " + hkv);
        }
        return new Dims(q.dim(0), hq, hkv, sq, skv, past, d, dv, threeD);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType q = required(inputs, 0);
        TensorType k = required(inputs, 1);
        TensorType v = required(inputs, 2);
        TensorType pk = inputs.size() > 4 ? inputs.get(4) : null;
        Dims m = dims(q.shape(), k.shape(), v.shape(), pk == null ? null : pk.shape());
        int total = m.past() < 0 || m.skv() < 0 ? Shape.UNKNOWN : m.total();
        Shape y = m.threeD() ? Shape.of(m.b(), m.sq(), m.hq() * m.dv()) : Shape.of(m.b(), m.hq(), m.sq(), m.dv());
        return List.of(new TensorType(q.dtype(), y), new TensorType(q.dtype(), Shape.of(m.b(), m.hkv(), total, m.d())),
                new TensorType(q.dtype(), Shape.of(m.b(), m.hkv(), total, m.dv())),
                new TensorType(q.dtype(), Shape.of(m.b(), m.hq(), m.sq(), total)));
    }

    /** [B, H, S, D] values of a 3-D or 4-D input as doubles. */
    private static double[] heads(Tensor t, boolean threeD, int heads) {
        double[] v = Elems.doubles(t);
        if (!threeD) {
            return v;
        }
        int b = t.shape().dim(0);
        int s = t.shape().dim(1);
        int d = t.shape().dim(2) / heads;
        double[] r = new double[v.length];
        for (int bi = 0; bi < b; bi++) {
            for (int si = 0; si < s; si++) {
                for (int h = 0; h < heads; h++) {
                    System.arraycopy(v, ((bi * s + si) * heads + h) * d, r, ((bi * heads + h) * s + si) * d, d);
                }
            }
        }
        return r;
    }

    /** past (may be null) then new, along the sequence axis: [B, H, past + s, d]. */
    private static double[] concat(Tensor past, double[] now, int b, int h, int pastLen, int s, int d) {
        double[] p = past == null ? new double[0] : Elems.doubles(past);
        double[] r = new double[b * h * (pastLen + s) * d];
        for (int bh = 0; bh < b * h; bh++) {
            System.arraycopy(p, bh * pastLen * d, r, bh * (pastLen + s) * d, pastLen * d);
            System.arraycopy(now, bh * s * d, r, (bh * (pastLen + s) + pastLen) * d, s * d);
        }
        return r;
    }

    /** Additive bias for (b, h, i, j) from the mask (broadcast, padded with -inf), causality and padding. */
    private double bias(Tensor mask, double[] maskValues, long[] nonpad, Dims m, int b, int h, int i, int j) {
        double bias = 0;
        if (mask != null) {
            Shape ms = mask.shape();
            int mr = ms.rank();
            int width = ms.dim(-1);
            if (j >= width) {
                bias = Double.NEGATIVE_INFINITY;
            } else {
                int[] coord = {b, h, i, j};
                int off = 0;
                int stride = 1;
                for (int k = mr - 1; k >= 0; k--) {
                    int c = coord[4 - mr + k];
                    off += (ms.dim(k) == 1 ? 0 : c) * stride;
                    stride *= ms.dim(k);
                }
                double mv = maskValues[off];
                bias = mask.dtype() == DType.BOOL ? (mv != 0 ? 0 : Double.NEGATIVE_INFINITY) : mv;
            }
        }
        if (causal) {
            int offset = nonpad != null && m.past() == 0 ? (int) nonpad[b] - m.sq() : m.past();
            if (j > i + offset) {
                bias = Double.NEGATIVE_INFINITY;
            }
        }
        if (nonpad != null && j >= nonpad[b]) {
            bias = Double.NEGATIVE_INFINITY;
        }
        return bias;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return run(ctx, inputs, null);
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /**
     * Gradients for Q, K, V, past_key and past_value from those of Y, present_key, present_value
     * and qk_matmul_output (the mask and nonpad_kv_seqlen get none).
     */
    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        return run(ctx, inputs, gradOutputs);
    }

    /** Forward (gradOutputs null: the four outputs) or backward (the input gradients), one row at a time. */
    private Tensor[] run(OpContext ctx, Tensor[] inputs, Tensor[] gradOutputs) {
        Tensor q = inputs[0];
        Tensor pastKey = input(inputs, 4);
        Tensor pastValue = input(inputs, 5);
        Tensor mask = input(inputs, 3);
        Tensor nonpadT = input(inputs, 6);
        Dims m = dims(q.shape(), inputs[1].shape(), inputs[2].shape(), pastKey == null ? null : pastKey.shape());
        double[] qv = heads(q, m.threeD(), m.hq());
        double[] keys = concat(pastKey, heads(inputs[1], m.threeD(), m.hkv()), m.b(), m.hkv(), m.past(), m.skv(), m.d());
        double[] values = concat(pastValue, heads(inputs[2], m.threeD(), m.hkv()), m.b(), m.hkv(), m.past(), m.skv(), m.dv());
        double[] maskValues = mask == null ? null : Elems.doubles(mask);
        long[] nonpad = nonpadT == null ? null : Elems.longs(nonpadT);
        int t = m.total();
        double scale = scaleAttr != null ? scaleAttr : 1 / Math.sqrt(m.d());
        int group = m.hq() / m.hkv();
        boolean back = gradOutputs != null;
        double[] y = back ? null : new double[m.b() * m.hq() * m.sq() * m.dv()];
        double[] qk = back ? null : new double[m.b() * m.hq() * m.sq() * t];
        double[] gy = back ? gradHeads(gradOutputs, 0, m.threeD(), m.hq()) : null;
        double[] gqk = back ? gradHeads(gradOutputs, 3, false, m.hq()) : null;
        double[] dq = back ? new double[qv.length] : null;
        double[] dKeys = back ? orZeros(gradHeads(gradOutputs, 1, false, m.hkv()), keys.length) : null;
        double[] dValues = back ? orZeros(gradHeads(gradOutputs, 2, false, m.hkv()), values.length) : null;
        double[] row = new double[t];
        double[] raw = new double[t];
        double[] dp = new double[t];
        for (int b = 0; b < m.b(); b++) {
            for (int h = 0; h < m.hq(); h++) {
                int kvh = h / group;
                for (int i = 0; i < m.sq(); i++) {
                    int qOff = ((b * m.hq() + h) * m.sq() + i) * m.d();
                    int outRow = ((b * m.hq() + h) * m.sq() + i) * t;
                    int yOff = ((b * m.hq() + h) * m.sq() + i) * m.dv();
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < t; j++) {
                        int kOff = ((b * m.hkv() + kvh) * t + j) * m.d();
                        double s = 0;
                        for (int d = 0; d < m.d(); d++) {
                            s += qv[qOff + d] * keys[kOff + d];
                        }
                        s *= scale;
                        raw[j] = s;
                        // softcap before the bias, so that masked (-inf) scores stay -inf
                        if (softcap > 0) {
                            s = softcap * Math.tanh(s / softcap);
                        }
                        double capped = s;
                        s += bias(mask, maskValues, nonpad, m, b, h, i, j);
                        if (!back) {
                            qk[outRow + j] = switch (qkMode) {
                                case 0 -> raw[j];
                                case 1 -> capped;
                                default -> s;
                            };
                        }
                        row[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        row[j] = Math.exp(row[j] - max);
                        sum += row[j];
                    }
                    for (int j = 0; j < t; j++) {
                        row[j] /= sum;
                    }
                    if (back) {
                        rowBackward(m, t, b, kvh, qOff, yOff, outRow, scale, row, raw, dp, qv, keys, values, gy, gqk,
                                dq, dKeys, dValues);
                        continue;
                    }
                    for (int j = 0; j < t; j++) {
                        double p = row[j];
                        if (qkMode == 3) {
                            qk[outRow + j] = p;
                        }
                        int vOff = ((b * m.hkv() + kvh) * t + j) * m.dv();
                        for (int d = 0; d < m.dv(); d++) {
                            y[yOff + d] += p * values[vOff + d];
                        }
                    }
                }
            }
        }
        if (back) {
            Tensor[] r = new Tensor[inputs.length];
            r[0] = gradient(inputs[0], dq, m.threeD(), m.b(), m.hq(), m.sq(), m.d(), 0, m.sq());
            r[1] = gradient(inputs[1], dKeys, m.threeD(), m.b(), m.hkv(), t, m.d(), m.past(), m.skv());
            r[2] = gradient(inputs[2], dValues, m.threeD(), m.b(), m.hkv(), t, m.dv(), m.past(), m.skv());
            if (pastKey != null) {
                r[4] = gradient(pastKey, dKeys, false, m.b(), m.hkv(), t, m.d(), 0, m.past());
            }
            if (pastValue != null) {
                r[5] = gradient(pastValue, dValues, false, m.b(), m.hkv(), t, m.dv(), 0, m.past());
            }
            return r;
        }
        Shape ys = Shape.of(m.b(), m.hq(), m.sq(), m.dv());
        Tensor out = Elems.fromDoubles(q.dtype(), ys, y);
        if (m.threeD()) {
            out = new Transpose(Attributes.of("perm", new long[] {0, 2, 1, 3})).forward(ctx, new Tensor[] {out})[0]
                    .reshape(Shape.of(m.b(), m.sq(), m.hq() * m.dv()));
        }
        return new Tensor[] {out,
            Elems.fromDoubles(q.dtype(), Shape.of(m.b(), m.hkv(), t, m.d()), keys),
            Elems.fromDoubles(q.dtype(), Shape.of(m.b(), m.hkv(), t, m.dv()), values),
            Elems.fromDoubles(q.dtype(), Shape.of(m.b(), m.hq(), m.sq(), t), qk)};
    }

    /**
     * Backward of one query row given its probabilities p: through P V to V and P, through the
     * softmax to the scores, through softcap and the scale to Q and the keys. qk_matmul_output's
     * gradient enters at the stage its mode outputs.
     */
    private void rowBackward(Dims m, int t, int b, int kvh, int qOff, int yOff, int outRow, double scale, double[] p,
                             double[] raw, double[] dp, double[] qv, double[] keys, double[] values, double[] gy,
                             double[] gqk, double[] dq, double[] dKeys, double[] dValues) {
        double dot = 0;
        for (int j = 0; j < t; j++) {
            int vOff = ((b * m.hkv() + kvh) * t + j) * m.dv();
            double g = qkMode == 3 && gqk != null ? gqk[outRow + j] : 0;
            if (gy != null) {
                for (int d = 0; d < m.dv(); d++) {
                    g += gy[yOff + d] * values[vOff + d];
                    dValues[vOff + d] += p[j] * gy[yOff + d];
                }
            }
            dp[j] = g;
            dot += p[j] * g;
        }
        for (int j = 0; j < t; j++) {
            // d score = p (dp - sum p dp); scores after softcap and before the bias have the same gradient
            double ds = p[j] * (dp[j] - dot);
            if (gqk != null && (qkMode == 1 || qkMode == 2)) {
                ds += gqk[outRow + j];
            }
            if (softcap > 0) {
                double th = Math.tanh(raw[j] / softcap);
                ds *= 1 - th * th;
            }
            if (gqk != null && qkMode == 0) {
                ds += gqk[outRow + j];
            }
            ds *= scale;
            if (ds == 0) {
                continue;
            }
            int kOff = ((b * m.hkv() + kvh) * t + j) * m.d();
            for (int d = 0; d < m.d(); d++) {
                dq[qOff + d] += ds * keys[kOff + d];
                dKeys[kOff + d] += ds * qv[qOff + d];
            }
        }
    }

    /** Gradient output i as [B, H, S, D] doubles, or null when absent. */
    private static double[] gradHeads(Tensor[] gradOutputs, int i, boolean threeD, int heads) {
        return i < gradOutputs.length && gradOutputs[i] != null ? heads(gradOutputs[i], threeD, heads) : null;
    }

    private static double[] orZeros(double[] v, int n) {
        return v != null ? v : new double[n];
    }

    /**
     * The float32 gradient of an input from a [B, H, total, d] gradient: sequence positions
     * [from, from + len), laid out as the input (3-D: [B, S, H * d]).
     */
    private static Tensor gradient(Tensor input, double[] g, boolean threeD, int b, int h, int total, int d, int from, int len) {
        double[] r = new double[b * h * len * d];
        for (int bi = 0; bi < b; bi++) {
            for (int hi = 0; hi < h; hi++) {
                for (int si = 0; si < len; si++) {
                    int dst = threeD ? ((bi * len + si) * h + hi) * d : ((bi * h + hi) * len + si) * d;
                    System.arraycopy(g, ((bi * h + hi) * total + from + si) * d, r, dst, d);
                }
            }
        }
        return Elems.fromDoubles(DType.FLOAT32, input.shape(), r);
    }

    /** MACs of Q K^T and of the weights times V: batch * q heads * S * L * (D + Dv), L counting the past keys. */
    @Override
    public long macs(List<TensorType> inputs, List<TensorType> outputs) {
        TensorType q = inputs.get(0);
        TensorType k = inputs.get(1);
        TensorType v = inputs.get(2);
        TensorType past = inputs.size() > 4 ? inputs.get(4) : null;
        if (elements(q) == 0 || elements(k) == 0 || elements(v) == 0 || elements(outputs.get(0)) == 0) {
            return 0;
        }
        boolean fourD = q.shape().rank() == 4;
        int qHeads = fourD ? q.shape().dim(1) : qHeadsAttr;
        int kvHeads = fourD ? k.shape().dim(1) : kvHeadsAttr;
        long d = fourD ? q.shape().dim(3) : q.shape().dim(2) / qHeads;
        long dv = fourD ? v.shape().dim(3) : v.shape().dim(2) / kvHeads;
        long keys = (fourD ? k.shape().dim(2) : k.shape().dim(1)) + (elements(past) == 0 ? 0 : past.shape().dim(2));
        long rows = elements(outputs.get(0)) / dv; // batch * q heads * S in either layout
        return rows * keys * (d + dv);
    }
}
