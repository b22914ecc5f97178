package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX MeanVarianceNormalization (opset 13): y = (x - mean) / (sqrt(var) + 1e-9) with mean and
 * population variance over the axes (default [0, 2, 3]), as the ONNX function body defines it.
 * 0 MACs.
 */
public final class MeanVarianceNormalizationOp extends NnOp {
    private static final double EPSILON = 1e-9;
    private final long[] axes;

    public MeanVarianceNormalizationOp(Attributes attrs) {
        super("MeanVarianceNormalization", attrs);
        this.axes = this.attrs.getInts("axes", new long[] {0, 2, 3});
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireFloating(x, "X");
        for (long a : axes) {
            axis(a, x.shape().rank());
        }
        return List.of(x);
    }

    /** For every element, the index of its group (its coordinates off the reduced axes); [0] holds the group count. */
    private int[][] groups(int[] d) {
        boolean[] reduced = new boolean[d.length];
        for (long a : axes) {
            reduced[axis(a, d.length)] = true;
        }
        int n = prod(d, 0, d.length);
        int[] g = new int[n];
        int count = 1;
        for (int k = 0; k < d.length; k++) {
            if (!reduced[k]) {
                count *= d[k];
            }
        }
        for (int i = 0; i < n; i++) {
            int rem = i;
            int idx = 0;
            int stride = 1;
            for (int k = d.length - 1; k >= 0; k--) {
                int c = rem % d[k];
                rem /= d[k];
                if (!reduced[k]) {
                    idx += c * stride;
                    stride *= d[k];
                }
            }
            g[i] = idx;
        }
        return new int[][] {{count}, g};
    }

    /** {mean, std} per group. */
    private double[][] stats(float[] x, int[] g, int count) {
        double[] sum = new double[count];
        double[] sq = new double[count];
        int[] n = new int[count];
        for (int i = 0; i < x.length; i++) {
            sum[g[i]] += x[i];
            sq[g[i]] += (double) x[i] * x[i];
            n[g[i]]++;
        }
        double[] std = new double[count];
        for (int k = 0; k < count; k++) {
            sum[k] /= Math.max(1, n[k]);
            std[k] = Math.sqrt(Math.max(0, sq[k] / Math.max(1, n[k]) - sum[k] * sum[k]));
        }
        return new double[][] {sum, std, java.util.Arrays.stream(n).asDoubleStream().toArray()};
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[][] gr = groups(x.shape().dims());
        float[] xv = f32(x);
        double[][] st = stats(xv, gr[1], gr[0][0]);
        float[] y = new float[xv.length];
        for (int i = 0; i < y.length; i++) {
            int k = gr[1][i];
            y[i] = (float) ((xv[i] - st[0][k]) / (st[1][k] + EPSILON));
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
        int[][] gr = groups(x.shape().dims());
        int count = gr[0][0];
        int[] g = gr[1];
        float[] xv = f32(x);
        float[] dy = f32(gradOutputs[0]);
        double[][] st = stats(xv, g, count);
        double[] sumG = new double[count];
        double[] sumGX = new double[count];
        for (int i = 0; i < xv.length; i++) {
            sumG[g[i]] += dy[i];
            sumGX[g[i]] += dy[i] * (xv[i] - st[0][g[i]]);
        }
        float[] dx = new float[xv.length];
        for (int i = 0; i < dx.length; i++) {
            int k = g[i];
            double m = st[2][k];
            double s = st[1][k];
            double d = s + EPSILON;
            double viaStd = s == 0 ? 0 : (xv[i] - st[0][k]) * sumGX[k] / (m * s * d * d);
            dx[i] = (float) ((dy[i] - sumG[k] / m) / d - viaStd);
        }
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
