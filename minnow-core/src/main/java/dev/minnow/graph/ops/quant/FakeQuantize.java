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
 * FakeQuantize (domain dev.minnow): quantize and dequantize in one float op, for
 * quantization-aware training: y = (clamp(round(x / s) + z, qmin, qmax) - z) * s, rounding
 * half to even as ONNX QuantizeLinear does. Inputs: x (float32), scale s (float32, a scalar
 * or one per channel of axis), zero_point z (optional, float32 or integer, shaped as s; 0 when
 * absent). Attributes: qmin (default -128), qmax (default 127), axis (default 1, for per-channel
 * parameters). Backward is the clipped straight-through estimator: dx = dy where
 * qmin &lt;= round(x / s) + z &lt;= qmax, else 0. The zero point gets no gradient; the scale
 * gets none either unless {@code lsq_grad_scale} &gt; 0: then it learns its step as LSQ does
 * (Esser et al. 2020, rounding passed straight through): dy/ds = round(x/s) - x/s inside the
 * range, qmin - z below it, qmax - z above, summed per scale entry and multiplied by
 * lsq_grad_scale (LSQ's 1/sqrt(N * qmax), N the elements one scale covers, set by whoever
 * builds the node, since only it knows which dimension is the batch). ONNX Runtime cannot run
 * it: on export for ORT it becomes QuantizeLinear + DequantizeLinear.
 */
final class FakeQuantize extends AbstractOp {
    static final String TYPE = "FakeQuantize";
    private final long qmin;
    private final long qmax;
    private final long axis;
    private final double lsqGradScale;

    FakeQuantize(Attributes a) {
        super(TYPE, a);
        qmin = attributes().getInt("qmin", -128);
        qmax = attributes().getInt("qmax", 127);
        axis = attributes().getInt("axis", 1);
        lsqGradScale = attributes().getFloat("lsq_grad_scale", 0);
        if (!(lsqGradScale >= 0) || Double.isInfinite(lsqGradScale)) {
            throw unsupported("lsq_grad_scale", lsqGradScale, "a finite value >= 0");
        }
        if (qmin >= qmax) {
            throw unsupported("qmin/qmax", qmin + "/" + qmax, "qmin < qmax");
        }
    }

    @Override
    public String domain() {
        return OpRegistry.MINNOW_DOMAIN;
    }

    @Override
    public InputRole inputRole(int index) {
        return index == 0 ? InputRole.DATA : InputRole.QUANT_PARAM;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (x.dtype() != DType.FLOAT32) {
            throw shapeError("x must be float32, got " + x.dtype().label);
        }
        TensorType s = required(inputs, 1);
        if (s.shape().rank() > 1) {
            throw shapeError("scale must be a scalar or 1-D (one per channel), got shape " + s.shape());
        }
        return List.of(x);
    }

    /** Per element: the index of its scale / zero point. */
    private int[] channelOf(Tensor x, Tensor s) {
        int[] c = new int[x.size()];
        if (s.size() == 1) {
            return c;
        }
        int rank = x.shape().rank();
        int ax = axis(axis, rank);
        int channels = x.shape().dim(ax);
        if (s.size() != channels) {
            throw shapeError("scale has " + s.size() + " entries but axis " + axis + " of x has " + channels);
        }
        int inner = 1;
        for (int d = ax + 1; d < rank; d++) {
            inner *= x.shape().dim(d);
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = (i / inner) % channels;
        }
        return c;
    }

    /** q = round(x / s) + z before clamping, per element. */
    private double[] unclamped(Tensor x, Tensor s, Tensor z, int[] ch) {
        float[] a = x.floats();
        double[] q = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            float sc = (float) s.getDouble(ch[i]);
            q[i] = Math.rint(a[i] / sc) + (z == null ? 0 : z.getDouble(ch[i]));
        }
        return q;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor s = inputs[1];
        Tensor z = input(inputs, 2);
        int[] ch = channelOf(x, s);
        double[] q = unclamped(x, s, z, ch);
        float[] y = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            double zp = z == null ? 0 : z.getDouble(ch[i]);
            double c = Math.min(Math.max(q[i], qmin), qmax);
            y[i] = (float) ((c - zp) * (float) s.getDouble(ch[i]));
        }
        return new Tensor[] {Elems.f32(x.shape(), y)};
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
        Tensor x = inputs[0];
        Tensor s = inputs[1];
        Tensor z = input(inputs, 2);
        int[] ch = channelOf(x, s);
        double[] q = unclamped(x, s, z, ch);
        float[] g = gradOutputs[0].floats();
        float[] gx = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            gx[i] = q[i] >= qmin && q[i] <= qmax ? g[i] : 0f;
        }
        r[0] = Elems.f32(x.shape(), gx);
        if (lsqGradScale > 0) {
            r[1] = scaleGradient(x, s, z, ch, q, g);
        }
        return r;
    }

    /** LSQ's step gradient, summed per scale entry, shaped as s. */
    private Tensor scaleGradient(Tensor x, Tensor s, Tensor z, int[] ch, double[] q, float[] g) {
        float[] a = x.floats();
        double[] gs = new double[s.size()];
        for (int i = 0; i < q.length; i++) {
            double zp = z == null ? 0 : z.getDouble(ch[i]);
            double d;
            if (q[i] < qmin) {
                d = qmin - zp;
            } else if (q[i] > qmax) {
                d = qmax - zp;
            } else {
                d = (q[i] - zp) - a[i] / (float) s.getDouble(ch[i]);
            }
            gs[ch[i]] += d * g[i];
        }
        float[] out = new float[gs.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = (float) (gs[c] * lsqGradScale);
        }
        return Elems.f32(s.shape(), out);
    }
}
