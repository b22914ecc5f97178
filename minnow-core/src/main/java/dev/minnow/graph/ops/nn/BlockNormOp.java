package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.BlockNorm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Shared forward and backward of the block normalisations (Instance, Group, Layer): each
 * subclass says how X splits into blocks and which scale / bias entry each element uses
 * (see {@link BlockNorm}). Inputs are X, scale and bias; 0 MACs by convention.
 */
abstract class BlockNormOp extends NnOp {
    final float epsilon;

    /** blocks x size elements; affine index = (b % bMod) * bMul + j / jDiv. */
    record Layout(int blocks, int size, int bMod, int bMul, int jDiv) {
    }

    BlockNormOp(String type, Attributes attrs) {
        super(type, attrs);
        this.epsilon = (float) this.attrs.getFloat("epsilon", 1e-5);
    }

    abstract Layout layout(Shape x, Tensor scale);

    /** Whether the mean is subtracted (false: RMS normalisation). */
    boolean centered() {
        return true;
    }

    /** Scale as the kernel indexes it (subclasses may broadcast it first). */
    float[] gamma(Tensor x, Tensor scale) {
        return f32(scale);
    }

    float[] beta(Tensor x, Tensor bias) {
        return bias == null ? null : f32(bias);
    }

    /** Turns a gradient of the kernel's gamma back into one of the input's shape. */
    float[] reduceAffine(Tensor x, Tensor param, float[] grad) {
        return grad;
    }

    /** y, mean, invStd. */
    final float[][] compute(Tensor[] inputs) {
        Tensor x = inputs[0];
        Layout l = layout(x.shape(), inputs[1]);
        float[] y = new float[x.size()];
        float[] mean = new float[l.blocks()];
        float[] invStd = new float[l.blocks()];
        BlockNorm.forward(centered(), l.blocks(), l.size(), f32(x), gamma(x, inputs[1]), beta(x, opt(inputs, 2)), l.bMod(), l.bMul(),
                l.jDiv(), epsilon, y, mean, invStd);
        return new float[][] {y, mean, invStd};
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        return new Tensor[] {out(x.dtype(), x.shape(), compute(inputs)[0])};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /** Gradients for X, scale and bias; extraMean / extraInvStd (nullable) are gradients of the statistics. */
    final Tensor[] gradients(Tensor[] inputs, Tensor gradY, float[] extraMean, float[] extraInvStd) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor bias = opt(inputs, 2);
        Layout l = layout(x.shape(), scale);
        float[][] st = compute(inputs);
        float[] xv = f32(x);
        float[] g = gamma(x, scale);
        float[] dx = new float[xv.length];
        float[] dg = new float[g.length];
        float[] db = bias == null ? null : new float[g.length];
        BlockNorm.backward(centered(), l.blocks(), l.size(), xv, g, l.bMod(), l.bMul(), l.jDiv(), st[1], st[2], f32(gradY), dx, dg, db);
        if (extraMean != null || extraInvStd != null) {
            for (int b = 0; b < l.blocks(); b++) {
                float is = st[2][b];
                for (int j = b * l.size(), e = j + l.size(); j < e; j++) {
                    double add = 0;
                    if (extraMean != null) {
                        add += extraMean[b] / l.size();
                    }
                    if (extraInvStd != null) {
                        add -= extraInvStd[b] * is * is * is * (xv[j] - st[1][b]) / l.size();
                    }
                    dx[j] += (float) add;
                }
            }
        }
        Tensor[] r = new Tensor[inputs.length];
        r[0] = out(x.dtype(), x.shape(), dx);
        r[1] = out(scale.dtype(), scale.shape(), reduceAffine(x, scale, dg));
        if (bias != null) {
            r[2] = out(bias.dtype(), bias.shape(), reduceAffine(x, bias, db));
        }
        return r;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        return gradients(inputs, gradOutputs[0], null, null);
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }
}
