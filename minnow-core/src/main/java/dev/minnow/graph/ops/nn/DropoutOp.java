package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Dropout (opset 13; the opset 7-10 ratio attribute is read too): inputs data, optional
 * ratio (scalar, default 0.5) and training_mode (bool); outputs output and optional mask (bool).
 * In training (the executor's OpContext.training() or a true training_mode input) each element
 * is kept with probability 1 - ratio and scaled by 1 / (1 - ratio); the random draws come from
 * OpContext.random(), so the executor's seed decides them (the seed attribute is not used).
 * Otherwise the output is a copy of data and the mask is all true. 0 MACs.
 */
public final class DropoutOp extends NnOp {
    private final double defaultRatio;

    public DropoutOp(Attributes attrs) {
        super("Dropout", attrs);
        this.defaultRatio = this.attrs.getFloat("ratio", 0.5);
        checkRatio(defaultRatio);
    }

    private void checkRatio(double r) {
        if (!(r >= 0 && r <= 1)) {
            throw unsupported("ratio", r, "a value in [0, 1]");
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "data");
        requireFloating(x, "data");
        TensorType ratio = opt(in, 1);
        if (ratio != null && ratio.shape().rank() > 1) {
            throw new ShapeException(type + ": ratio must be a scalar, got " + ratio.shape());
        }
        return List.of(x, new TensorType(DType.BOOL, x.shape()));
    }

    private double ratio(Tensor[] inputs) {
        Tensor r = opt(inputs, 1);
        if (r == null) {
            return defaultRatio;
        }
        double v = r.getDouble(0);
        checkRatio(v);
        return v;
    }

    private static boolean training(OpContext ctx, Tensor[] inputs) {
        Tensor t = opt(inputs, 2);
        return (ctx != null && ctx.training()) || (t != null && t.getDouble(0) != 0);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        double ratio = ratio(inputs);
        Tensor mask = Tensor.zeros(DType.BOOL, x.shape());
        byte[] keep = mask.bytes();
        if (!training(ctx, inputs) || ratio == 0) {
            java.util.Arrays.fill(keep, (byte) 1);
            if (ctx != null) {
                ctx.save(null);
            }
            return new Tensor[] {x.copy(), mask};
        }
        float[] xv = f32(x);
        float[] y = new float[xv.length];
        float scale = ratio >= 1 ? 0f : (float) (1 / (1 - ratio));
        var random = ctx != null ? ctx.random() : new java.util.SplittableRandom(0);
        for (int i = 0; i < xv.length; i++) {
            if (random.nextDouble() >= ratio) {
                keep[i] = 1;
                y[i] = xv[i] * scale;
            }
        }
        if (ctx != null) {
            ctx.save(keep);
        }
        return new Tensor[] {out(x.dtype(), x.shape(), y), mask};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        byte[] keep = ctx == null ? null : ctx.saved();
        float[] dy = f32(gradOutputs[0]);
        Tensor[] r = new Tensor[inputs.length];
        if (keep == null) {
            r[0] = out(x.dtype(), x.shape(), dy.clone());
            return r;
        }
        double ratio = ratio(inputs);
        float scale = ratio >= 1 ? 0f : (float) (1 / (1 - ratio));
        float[] dx = new float[dy.length];
        for (int i = 0; i < dx.length; i++) {
            dx[i] = keep[i] != 0 ? dy[i] * scale : 0f;
        }
        r[0] = out(x.dtype(), x.shape(), dx);
        return r;
    }

    // input roles: ratio and training_mode
    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
