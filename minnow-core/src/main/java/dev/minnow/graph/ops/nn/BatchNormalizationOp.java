package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Parallel;
import dev.minnow.kernels.RowSums;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX BatchNormalization (opset 15): inputs X [N, C, ...], scale, B, input_mean, input_var
 * (each [C]); outputs Y and, in training mode, running_mean and running_var (and, for opset 9-13
 * graphs, saved_mean and saved_var: the mean and variance this pass normalised with).
 * <p>
 * Inference: Y = (X - input_mean) / sqrt(input_var + epsilon) * scale + B.
 * Training (the executor's OpContext.training(), or attribute training_mode = 1): batch mean
 * and population variance per channel normalise X, and running = input * momentum +
 * batch * (1 - momentum). The op never modifies its inputs: when the executor trains
 * (ctx.training()), it requests the new running statistics as state updates of inputs 3 and 4
 * ({@link OpContext#updateState}), which the training executor writes into the graph's
 * initializers after this forward, so the model carries them; a graph run with
 * training_mode = 1 but not by a training executor only returns them as outputs 1 and 2.
 * Backward gives X, scale and B gradients in both modes. The statistic inputs get a gradient
 * only where one flows: always in inference mode (Y depends on them), in training mode only
 * through outputs 1 and 2, so a training executor that ignores those outputs sees null there.
 * Costs 0 MACs by convention (it folds into the preceding Conv for inference).
 */
public final class BatchNormalizationOp extends NnOp {
    private final double epsilon;
    private final double momentum;
    private final boolean trainingMode;

    /** What forward used: per-channel mean and 1/sqrt(var + eps), and whether they came from the batch. */
    private record Stats(float[] mean, float[] invStd, boolean fromBatch) {
    }

    public BatchNormalizationOp(Attributes attrs) {
        super("BatchNormalization", attrs);
        this.epsilon = this.attrs.getFloat("epsilon", 1e-5);
        this.momentum = this.attrs.getFloat("momentum", 0.9);
        long tm = this.attrs.getInt("training_mode", 0);
        if (tm != 0 && tm != 1) {
            throw unsupported("training_mode", tm, "0 or 1");
        }
        if (this.attrs.has("spatial") && this.attrs.getInt("spatial", 1) != 1) {
            throw unsupported("spatial", this.attrs.getInt("spatial", 1), "only 1, per-channel statistics");
        }
        this.trainingMode = tm == 1;
    }

    private boolean useBatchStats(OpContext ctx) {
        return trainingMode || (ctx != null && ctx.training());
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        requireRank(x, 2, "X");
        requireFloating(x, "X");
        int c = x.shape().dim(1);
        String[] names = {"X", "scale", "B", "input_mean", "input_var"};
        for (int i = 1; i < 5; i++) {
            TensorType t = required(in, i, names[i]);
            if (t.shape().rank() != 1 || (c >= 0 && t.shape().dim(0) >= 0 && t.shape().dim(0) != c)) {
                throw new ShapeException(type + ": " + names[i] + " " + t.shape() + " must be [" + c + "] for X " + x.shape());
            }
        }
        TensorType stat = new TensorType(in.get(3).dtype(), in.get(3).shape());
        TensorType var = new TensorType(in.get(4).dtype(), in.get(4).shape());
        return List.of(x, stat, var, stat, var);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int n = d[0];
        int c = d[1];
        int s = prod(d, 2, d.length);
        float[] xv = f32(x);
        float[] scale = f32(inputs[1]);
        float[] bias = f32(inputs[2]);
        float[] runMean = f32(inputs[3]);
        float[] runVar = f32(inputs[4]);
        float[] mean = new float[c];
        float[] invStd = new float[c];
        float[] usedVar = new float[c];
        float[] newMean = runMean.clone();
        float[] newVar = runVar.clone();
        boolean batch = useBatchStats(ctx);
        float[] y = new float[xv.length];
        Parallel.forRange(c, 1, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                double m;
                double v;
                if (batch) {
                    m = (float) (RowSums.sum(xv, ch * s, c * s, n, s) / ((double) n * s));
                    v = RowSums.squaredDeviation(xv, ch * s, c * s, n, s, (float) m) / ((double) n * s);
                    newMean[ch] = (float) (runMean[ch] * momentum + m * (1 - momentum));
                    newVar[ch] = (float) (runVar[ch] * momentum + v * (1 - momentum));
                } else {
                    m = runMean[ch];
                    v = runVar[ch];
                }
                mean[ch] = (float) m;
                usedVar[ch] = (float) v;
                invStd[ch] = (float) (1 / Math.sqrt(v + epsilon));
                float a = scale[ch] * invStd[ch];
                float bb = (float) (bias[ch] - m * a);
                for (int b = 0; b < n; b++) {
                    for (int i = (b * c + ch) * s, e = i + s; i < e; i++) {
                        y[i] = xv[i] * a + bb;
                    }
                }
            }
        });
        if (ctx != null) {
            ctx.save(new Stats(mean, invStd, batch));
        }
        if (batch && ctx != null && ctx.training()) {
            ctx.updateState(3, newMean.clone());
            ctx.updateState(4, newVar.clone());
        }
        return new Tensor[] {out(x.dtype(), x.shape(), y), out(inputs[3].dtype(), inputs[3].shape(), newMean),
                out(inputs[4].dtype(), inputs[4].shape(), newVar), out(inputs[3].dtype(), inputs[3].shape(), mean.clone()),
                out(inputs[4].dtype(), inputs[4].shape(), usedVar)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int n = d[0];
        int c = d[1];
        int s = prod(d, 2, d.length);
        Stats st = ctx == null ? null : ctx.saved();
        if (st == null) {
            OpContext again = new OpContext(useBatchStats(ctx), new java.util.SplittableRandom(0));
            forward(again, inputs);
            st = again.saved();
        }
        float[] xv = f32(x);
        float[] scale = f32(inputs[1]);
        float[] dy = f32(gradOutputs[0]);
        Tensor g1 = gradOutputs.length > 1 ? gradOutputs[1] : null;
        Tensor g2 = gradOutputs.length > 2 ? gradOutputs[2] : null;
        Tensor g3 = gradOutputs.length > 3 ? gradOutputs[3] : null;
        Tensor g4 = gradOutputs.length > 4 ? gradOutputs[4] : null;
        float[] dRunMean = g1 == null ? null : f32(g1);
        float[] dRunVar = g2 == null ? null : f32(g2);
        float[] dSavedMean = g3 == null ? null : f32(g3);
        float[] dSavedVar = g4 == null ? null : f32(g4);
        float[] dx = new float[xv.length];
        float[] dscale = new float[c];
        float[] dbias = new float[c];
        float[] dmean = new float[c];
        float[] dvar = new float[c];
        Stats stats = st;
        double count = (double) n * s;
        Parallel.forRange(c, 1, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                float m = stats.mean()[ch];
                float is = stats.invStd()[ch];
                double[] sums = RowSums.gradientSums(dy, xv, ch * s, c * s, n, s, m);
                double sumDy = sums[0];
                double sumDyXhat = sums[1] * is;
                dbias[ch] = (float) sumDy;
                dscale[ch] = (float) sumDyXhat;
                float g = scale[ch] * is;
                // outputs 1 and 2 (new running statistics) depend on the batch mean and variance too
                // outputs 3 and 4 (opset 9-13 saved statistics) are the batch mean and variance themselves
                double viaMean = ((dRunMean == null ? 0 : dRunMean[ch] * (1 - momentum))
                        + (dSavedMean == null ? 0 : dSavedMean[ch])) / count;
                double viaVar = ((dRunVar == null ? 0 : dRunVar[ch] * (1 - momentum))
                        + (dSavedVar == null ? 0 : dSavedVar[ch])) * 2 / count;
                // dx = g * (dy - mean(dy) - xhat * mean(dy * xhat)) + viaMean + viaVar * (x - m),
                // an affine map of (dy, x): dx = g * dy + kx * x + k0
                float kx = stats.fromBatch() ? (float) (viaVar - g * is * sumDyXhat / count) : 0f;
                float k0 = stats.fromBatch() ? (float) (viaMean - g * sumDy / count - kx * (double) m) : 0f;
                for (int b = 0; b < n; b++) {
                    for (int i = (b * c + ch) * s, e = i + s; i < e; i++) {
                        dx[i] = g * dy[i] + kx * xv[i] + k0;
                    }
                }
                double passMean = dRunMean == null ? 0 : dRunMean[ch];
                double passVar = dRunVar == null ? 0 : dRunVar[ch];
                if (!stats.fromBatch()) {
                    // in inference mode the saved statistics are the inputs too
                    passMean += dSavedMean == null ? 0 : dSavedMean[ch];
                    passVar += dSavedVar == null ? 0 : dSavedVar[ch];
                }
                if (stats.fromBatch()) {
                    dmean[ch] = (float) (momentum * passMean);
                    dvar[ch] = (float) (momentum * passVar);
                } else {
                    // Y = (x - mean) * invStd * scale + B; outputs 1 and 2 pass the statistics through
                    dmean[ch] = (float) (-sumDy * g + passMean);
                    dvar[ch] = (float) (-0.5 * sumDyXhat * scale[ch] * is * is + passVar);
                }
            }
        });
        Tensor[] r = new Tensor[inputs.length];
        r[0] = out(x.dtype(), x.shape(), dx);
        r[1] = out(inputs[1].dtype(), inputs[1].shape(), dscale);
        r[2] = out(inputs[2].dtype(), inputs[2].shape(), dbias);
        if (!stats.fromBatch() || g1 != null || g3 != null) {
            r[3] = out(inputs[3].dtype(), inputs[3].shape(), dmean);
        }
        if (!stats.fromBatch() || g2 != null || g4 != null) {
            r[4] = out(inputs[4].dtype(), inputs[4].shape(), dvar);
        }
        return r;
    }

    // input roles: scale and B are learned; the running mean and variance are estimated from data
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2 -> InputRole.BIAS;
            case 3, 4 -> InputRole.STATISTIC;
            default -> InputRole.DATA;
        };
    }
}
