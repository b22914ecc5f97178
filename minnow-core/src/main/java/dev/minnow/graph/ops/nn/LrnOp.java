package dev.minnow.graph.ops.nn;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX LRN (opset 13): across-channel local response normalisation,
 * y = x / (bias + alpha / size * sum of x^2 over channels [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
 * Attributes size (required), alpha 1e-4, beta 0.75, bias 1. 0 MACs by convention.
 */
public final class LrnOp extends NnOp {
    private final int size;
    private final double alpha;
    private final double beta;
    private final double bias;

    public LrnOp(Attributes attrs) {
        super("LRN", attrs);
        if (!this.attrs.has("size")) {
            throw new UnsupportedOpException(type + ": attribute size is required");
        }
        long s = this.attrs.getInt("size", 1);
        if (s < 1) {
            throw unsupported("size", s, "an integer >= 1");
        }
        this.size = (int) s;
        this.alpha = this.attrs.getFloat("alpha", 1e-4);
        this.beta = this.attrs.getFloat("beta", 0.75);
        this.bias = this.attrs.getFloat("bias", 1.0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireRank(x, 2, "X");
        requireFloating(x, "X");
        return List.of(x);
    }

    /** The denominators' base: bias + alpha / size * windowed sum of squares, per element. */
    private double[] scales(int[] d, float[] x) {
        int c = d[1];
        int s = prod(d, 2, d.length);
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        double[] r = new double[x.length];
        for (int n = 0; n < d[0]; n++) {
            for (int ch = 0; ch < c; ch++) {
                int lo = Math.max(0, ch - before);
                int hi = Math.min(c - 1, ch + after);
                for (int p = 0; p < s; p++) {
                    double sum = 0;
                    for (int k = lo; k <= hi; k++) {
                        float v = x[(n * c + k) * s + p];
                        sum += (double) v * v;
                    }
                    r[(n * c + ch) * s + p] = bias + alpha / size * sum;
                }
            }
        }
        return r;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        float[] xv = f32(x);
        double[] sc = scales(x.shape().dims(), xv);
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (xv[i] * Math.pow(sc[i], -beta));
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
        int[] d = x.shape().dims();
        float[] xv = f32(x);
        float[] dy = f32(gradOutputs[0]);
        double[] sc = scales(d, xv);
        int c = d[1];
        int s = prod(d, 2, d.length);
        int before = (size - 1) / 2;
        int after = size - 1 - before;
        // t = dy * x * scale^(-beta-1): what each output passes back to the squares in its window
        double[] t = new double[xv.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = dy[i] * xv[i] * Math.pow(sc[i], -beta - 1);
        }
        float[] dx = new float[xv.length];
        for (int n = 0; n < d[0]; n++) {
            for (int k = 0; k < c; k++) {
                // outputs ch whose window holds channel k: ch - before <= k <= ch + after
                int lo = Math.max(0, k - after);
                int hi = Math.min(c - 1, k + before);
                for (int p = 0; p < s; p++) {
                    int i = (n * c + k) * s + p;
                    double sum = 0;
                    for (int ch = lo; ch <= hi; ch++) {
                        sum += t[(n * c + ch) * s + p];
                    }
                    dx[i] = (float) (dy[i] * Math.pow(sc[i], -beta) - 2 * alpha * beta / size * xv[i] * sum);
                }
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
