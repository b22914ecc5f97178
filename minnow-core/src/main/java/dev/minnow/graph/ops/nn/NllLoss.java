package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * NegativeLogLikelihoodLoss(input [N, C, d...], target [N, d...], weight [C]?) and
 * SoftmaxCrossEntropyLoss(scores, labels, weights?), which first takes log-softmax over C
 * and also outputs it (log_prob). Per element loss = -weight[t] * logp[n, t, d...]; targets
 * equal to ignore_index count nothing. reduction none keeps the target's shape, sum adds,
 * mean (default) divides by the summed weights of the counted targets. Backward for both.
 */
final class NllLoss extends AbstractOp {
    private final boolean softmax;
    private final String reduction;
    private final Long ignoreIndex;

    NllLoss(String type, Attributes a) {
        super(type, a);
        softmax = type.equals("SoftmaxCrossEntropyLoss");
        reduction = a.getString("reduction", "mean");
        if (!List.of("none", "sum", "mean").contains(reduction)) {
            throw unsupported("reduction", reduction, "none, sum, mean");
        }
        ignoreIndex = a.has("ignore_index") ? a.getInt("ignore_index", 0) : null;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        TensorType t = required(inputs, 1);
        Shape loss = reduction.equals("none") ? t.shape() : Shape.scalar();
        return softmax ? List.of(new TensorType(x.dtype(), loss), x) : List.of(new TensorType(x.dtype(), loss));
    }

    /** Geometry: N, C, inner (product of d...). */
    private static int[] dims(Shape x) {
        int[] d = x.dims();
        return new int[] {d[0], d[1], ReshapeLike.product(d, 2, d.length)};
    }

    private static double[] logSoftmax(double[] x, int n, int c, int inner) {
        double[] r = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < inner; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    max = Math.max(max, x[(b * c + k) * inner + i]);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += Math.exp(x[(b * c + k) * inner + i] - max);
                }
                double lse = max + Math.log(sum);
                for (int k = 0; k < c; k++) {
                    r[(b * c + k) * inner + i] = x[(b * c + k) * inner + i] - lse;
                }
            }
        }
        return r;
    }

    /** Weight of each (n, d) target, 0 where ignored; throws for targets out of range. */
    private double[] targetWeights(long[] t, Tensor weight, int c) {
        double[] w = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            if (ignoreIndex != null && t[i] == ignoreIndex) {
                continue;
            }
            if (t[i] < 0 || t[i] >= c) {
                throw shapeError("target " + t[i] + " is out of range for " + c + " classes");
            }
            w[i] = weight == null ? 1 : weight.getDouble((int) t[i]);
        }
        return w;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] g = dims(x.shape());
        int n = g[0];
        int c = g[1];
        int inner = g[2];
        double[] logp = Elems.doubles(x);
        if (softmax) {
            logp = logSoftmax(logp, n, c, inner);
        }
        long[] t = Elems.longs(inputs[1]);
        double[] w = targetWeights(t, input(inputs, 2), c);
        double[] loss = new double[t.length];
        double total = 0;
        double weightSum = 0;
        for (int i = 0; i < t.length; i++) {
            if (w[i] != 0) {
                int b = i / inner;
                int d = i % inner;
                loss[i] = -w[i] * logp[(b * c + (int) t[i]) * inner + d];
            }
            total += loss[i];
            weightSum += w[i];
        }
        Tensor out = switch (reduction) {
            case "none" -> Elems.fromDoubles(x.dtype(), inputs[1].shape(), loss);
            case "sum" -> Elems.fromDoubles(x.dtype(), Shape.scalar(), new double[] {total});
            default -> Elems.fromDoubles(x.dtype(), Shape.scalar(), new double[] {total / weightSum});
        };
        return softmax ? new Tensor[] {out, Elems.fromDoubles(x.dtype(), x.shape(), logp)} : new Tensor[] {out};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (x.dtype() != DType.FLOAT32) {
            return r;
        }
        int[] g = dims(x.shape());
        int c = g[1];
        int inner = g[2];
        long[] t = Elems.longs(inputs[1]);
        double[] w = targetWeights(t, input(inputs, 2), c);
        // gradient with respect to log-probabilities
        double[] glogp = new double[x.size()];
        if (gradOutputs[0] != null) {
            double[] gl = Elems.doubles(gradOutputs[0]);
            double weightSum = 0;
            for (double v : w) {
                weightSum += v;
            }
            for (int i = 0; i < t.length; i++) {
                if (w[i] != 0) {
                    double gi = reduction.equals("none") ? gl[i] : reduction.equals("sum") ? gl[0] : gl[0] / weightSum;
                    glogp[((i / inner) * c + (int) t[i]) * inner + i % inner] -= w[i] * gi;
                }
            }
        }
        if (!softmax) {
            r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), glogp);
            return r;
        }
        if (gradOutputs.length > 1 && gradOutputs[1] != null) {
            double[] gp = Elems.doubles(gradOutputs[1]);
            for (int i = 0; i < glogp.length; i++) {
                glogp[i] += gp[i];
            }
        }
        // through log-softmax: dx = glogp - softmax * sum_c(glogp)
        double[] logp = Elems.doubles(outputs[1]);
        double[] gx = new double[glogp.length];
        for (int b = 0; b < g[0]; b++) {
            for (int d = 0; d < inner; d++) {
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    sum += glogp[(b * c + k) * inner + d];
                }
                for (int k = 0; k < c; k++) {
                    int p = (b * c + k) * inner + d;
                    gx[p] = glogp[p] - Math.exp(logp[p]) * sum;
                }
            }
        }
        r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), gx);
        return r;
    }

    // input roles: class weights configure the loss
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 2 -> InputRole.SETTING;
            default -> InputRole.DATA;
        };
    }
}
