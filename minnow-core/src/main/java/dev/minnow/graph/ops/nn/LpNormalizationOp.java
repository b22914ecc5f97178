package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX LpNormalization: y = x / ||x||_p along axis (default -1), p = 1 or 2 (default 2);
 * a zero vector stays zero. 0 MACs.
 */
public final class LpNormalizationOp extends NnOp {
    private final long axisAttr;
    private final int p;

    public LpNormalizationOp(Attributes attrs) {
        super("LpNormalization", attrs);
        this.axisAttr = this.attrs.getInt("axis", -1);
        long pv = this.attrs.getInt("p", 2);
        if (pv != 1 && pv != 2) {
            throw unsupported("p", pv, "1 or 2");
        }
        this.p = (int) pv;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "input");
        requireFloating(x, "input");
        requireRank(x, 1, "input");
        axis(axisAttr, x.shape().rank());
        return List.of(x);
    }

    /** The p-norm of every line along the axis, indexed by line. */
    private double[] norms(float[] x, int[] s) {
        int len = s[1];
        int inner = s[2];
        double[] n = new double[s[0] * inner];
        for (int r = 0; r < n.length; r++) {
            int base = (r / inner) * len * inner + r % inner;
            double acc = 0;
            for (int j = 0; j < len; j++) {
                float v = x[base + j * inner];
                acc += p == 1 ? Math.abs(v) : (double) v * v;
            }
            n[r] = p == 1 ? acc : Math.sqrt(acc);
        }
        return n;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] s = axisSplit(x.shape(), axisAttr, false);
        float[] xv = f32(x);
        double[] n = norms(xv, s);
        float[] y = new float[xv.length];
        for (int r = 0; r < n.length; r++) {
            int base = (r / s[2]) * s[1] * s[2] + r % s[2];
            for (int j = 0; j < s[1]; j++) {
                int i = base + j * s[2];
                y[i] = n[r] == 0 ? 0f : (float) (xv[i] / n[r]);
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        int[] s = axisSplit(x.shape(), axisAttr, false);
        float[] xv = f32(x);
        float[] dy = f32(gradOutputs[0]);
        double[] n = norms(xv, s);
        float[] dx = new float[xv.length];
        for (int r = 0; r < n.length; r++) {
            if (n[r] == 0) {
                continue;
            }
            int base = (r / s[2]) * s[1] * s[2] + r % s[2];
            double dot = 0;
            for (int j = 0; j < s[1]; j++) {
                int i = base + j * s[2];
                dot += (double) dy[i] * xv[i];
            }
            // d||x||/dx is x / ||x|| for p = 2 and sign(x) for p = 1
            for (int j = 0; j < s[1]; j++) {
                int i = base + j * s[2];
                double dn = p == 2 ? xv[i] / n[r] : Math.signum(xv[i]);
                dx[i] = (float) (dy[i] / n[r] - dn * dot / (n[r] * n[r]));
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
