package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * LowBitWeight (domain dev.minnow): a weight tensor mapped onto a few levels for
 * quantization-aware training, the float latent weight staying the trained parameter.
 * Attribute {@code mode}:
 * <ul>
 * <li>{@code binary} (BWN / XNOR-Net weights): y = sign(w) * mean|w| per output channel
 *     (axis 0); sign(0) is +1 so that every weight has one of two values.</li>
 * <li>{@code ternary} (TWN, Li et al. 2016): threshold t = 0.7 * mean|w| per output channel;
 *     y = sign(w) * a where |w| &gt; t, else 0, a being the mean |w| above the threshold.</li>
 * <li>{@code dorefa} with {@code bits} k (DoReFa-Net): u = tanh(w) / (2 max|tanh(w)|) + 1/2 over
 *     the whole tensor, y = 2 round(u n) / n - 1 with n = 2^k - 1 levels apart.</li>
 * </ul>
 * Backward passes the rounding straight through: binary and ternary give dw = dy (the per-channel
 * scale is treated as a constant, as BWN and TWN train it); dorefa differentiates the tanh
 * normalization exactly, the max included, with round(u n) / n taken as u.
 */
final class LowBitWeight extends AbstractOp {
    static final String TYPE = "LowBitWeight";
    private final String mode;
    private final int bits;

    LowBitWeight(Attributes a) {
        super(TYPE, a);
        mode = attributes().getString("mode", "binary");
        bits = (int) attributes().getInt("bits", 2);
        if (!mode.equals("binary") && !mode.equals("ternary") && !mode.equals("dorefa")) {
            throw unsupported("mode", mode, "binary, ternary or dorefa");
        }
        if (mode.equals("dorefa") && (bits < 1 || bits > 16)) {
            throw unsupported("bits", bits, "1 to 16");
        }
    }

    @Override
    public String domain() {
        return OpRegistry.MINNOW_DOMAIN;
    }

    @Override
    public InputRole inputRole(int index) {
        return InputRole.WEIGHT;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType w = required(inputs, 0);
        if (w.dtype() != DType.FLOAT32) {
            throw shapeError("the weight must be float32, got " + w.dtype().label);
        }
        if (!mode.equals("dorefa") && w.shape().rank() < 1) {
            throw shapeError("binary and ternary weights need an output-channel axis; got a scalar");
        }
        return List.of(w);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor w = inputs[0];
        float[] a = w.floats();
        float[] y = new float[a.length];
        if (mode.equals("dorefa")) {
            float[] t = tanh(a);
            double m = maxAbs(t);
            double n = (1 << bits) - 1;
            for (int i = 0; i < a.length; i++) {
                double u = m == 0 ? 0.5 : t[i] / (2 * m) + 0.5;
                y[i] = (float) (2 * Math.rint(u * n) / n - 1);
            }
            return new Tensor[] {Elems.f32(w.shape(), y)};
        }
        int channels = w.shape().dim(0);
        int inner = a.length / Math.max(1, channels);
        for (int c = 0; c < channels; c++) {
            int o = c * inner;
            double meanAbs = 0;
            for (int i = 0; i < inner; i++) {
                meanAbs += Math.abs(a[o + i]);
            }
            meanAbs /= inner;
            if (mode.equals("binary")) {
                for (int i = 0; i < inner; i++) {
                    y[o + i] = (float) (a[o + i] < 0 ? -meanAbs : meanAbs);
                }
                continue;
            }
            double threshold = 0.7 * meanAbs;
            double sum = 0;
            int count = 0;
            for (int i = 0; i < inner; i++) {
                if (Math.abs(a[o + i]) > threshold) {
                    sum += Math.abs(a[o + i]);
                    count++;
                }
            }
            float alpha = count == 0 ? 0f : (float) (sum / count);
            for (int i = 0; i < inner; i++) {
                float v = a[o + i];
                y[o + i] = Math.abs(v) > threshold ? (v < 0 ? -alpha : alpha) : 0f;
            }
        }
        return new Tensor[] {Elems.f32(w.shape(), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] == null) {
            return r;
        }
        float[] g = gradOutputs[0].floats();
        if (!mode.equals("dorefa")) {
            r[0] = Elems.f32(inputs[0].shape(), g.clone());
            return r;
        }
        // y_i = t_i / m (rounding passed through), t = tanh(w), m = |t_j| at the largest |t|
        float[] t = tanh(inputs[0].floats());
        int j = 0;
        for (int i = 1; i < t.length; i++) {
            if (Math.abs(t[i]) > Math.abs(t[j])) {
                j = i;
            }
        }
        double m = Math.abs(t[j]);
        float[] gw = new float[t.length];
        if (m == 0) {
            r[0] = Elems.f32(inputs[0].shape(), gw);
            return r;
        }
        double dot = 0;
        for (int i = 0; i < t.length; i++) {
            dot += (double) g[i] * t[i];
        }
        for (int i = 0; i < t.length; i++) {
            double gt = g[i] / m;
            if (i == j) {
                gt -= Math.signum(t[j]) * dot / (m * m);
            }
            gw[i] = (float) (gt * (1 - (double) t[i] * t[i]));
        }
        r[0] = Elems.f32(inputs[0].shape(), gw);
        return r;
    }

    private static float[] tanh(float[] a) {
        float[] t = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            t[i] = (float) Math.tanh(a[i]);
        }
        return t;
    }

    private static double maxAbs(float[] t) {
        double m = 0;
        for (float v : t) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}
