package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Shared part of the ONNX recurrent ops RNN, GRU and LSTM (opset 14+, forward only): inputs X,
 * W [dirs, G*hidden, input], R [dirs, G*hidden, hidden], optional B [dirs, 2*G*hidden] (Wb then Rb),
 * sequence_lens [batch], initial_h (and LSTM's initial_c, P); attributes hidden_size,
 * direction (forward, reverse, bidirectional), layout (0: [seq, batch, ...], 1: [batch, seq, ...]),
 * activations with activation_alpha / activation_beta, clip. Outputs Y [seq, dirs, batch, hidden]
 * and Y_h [dirs, batch, hidden] (and LSTM's Y_c), batch first when layout = 1. Steps past a
 * sequence's length leave Y at 0 and the state unchanged; reverse runs from the last valid step.
 * MACs = seq * batch * dirs * G * hidden * (input + hidden).
 */
abstract class RecurrentOp extends NnOp {
    final int hidden;
    final int dirs;
    final boolean reverseOnly;
    final int layout;
    final float clip;
    /** Activations per direction: [dir][k] for k < activationCount(). */
    final DoubleUnaryOperator[][] activations;

    RecurrentOp(String type, Attributes attrs, String[] defaultActivations) {
        super(type, attrs);
        long h = this.attrs.getInt("hidden_size", -1);
        if (h < 1) {
            throw new UnsupportedOpException(type + ": attribute hidden_size is required and must be >= 1, got " + h);
        }
        this.hidden = (int) h;
        String direction = this.attrs.getString("direction", "forward");
        switch (direction) {
            case "forward", "reverse", "bidirectional" -> { }
            default -> throw unsupported("direction", direction, "forward, reverse or bidirectional");
        }
        this.dirs = direction.equals("bidirectional") ? 2 : 1;
        this.reverseOnly = direction.equals("reverse");
        long l = this.attrs.getInt("layout", 0);
        if (l != 0 && l != 1) {
            throw unsupported("layout", l, "0 or 1");
        }
        this.layout = (int) l;
        this.clip = (float) this.attrs.getFloat("clip", Double.POSITIVE_INFINITY);
        int k = defaultActivations.length;
        String[] names = this.attrs.getStrings("activations", null);
        if (names == null) {
            names = new String[k * dirs];
            for (int d = 0; d < dirs; d++) {
                System.arraycopy(defaultActivations, 0, names, d * k, k);
            }
        }
        if (names.length != k * dirs) {
            throw unsupported("activations", String.join(",", names), k * dirs + " names for " + dirs + " direction(s)");
        }
        double[] alphas = this.attrs.getFloats("activation_alpha", new double[0]);
        double[] betas = this.attrs.getFloats("activation_beta", new double[0]);
        this.activations = new DoubleUnaryOperator[dirs][k];
        int[] used = new int[2];
        for (int i = 0; i < names.length; i++) {
            activations[i / k][i % k] = activation(names[i], alphas, betas, used);
        }
    }

    /** One named activation; alpha / beta values are consumed in order by the activations that take them. */
    private DoubleUnaryOperator activation(String name, double[] alphas, double[] betas, int[] used) {
        boolean takesAlpha = switch (name.toLowerCase()) {
            case "affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu" -> true;
            default -> false;
        };
        boolean takesBeta = switch (name.toLowerCase()) {
            case "affine", "scaledtanh", "hardsigmoid" -> true;
            default -> false;
        };
        double a = takesAlpha && used[0] < alphas.length ? alphas[used[0]++] : Double.NaN;
        double b = takesBeta && used[1] < betas.length ? betas[used[1]++] : Double.NaN;
        return switch (name.toLowerCase()) {
            case "sigmoid" -> x -> 1 / (1 + Math.exp(-x));
            case "tanh" -> Math::tanh;
            case "relu" -> x -> Math.max(0, x);
            case "softsign" -> x -> x / (1 + Math.abs(x));
            case "softplus" -> x -> Math.log1p(Math.exp(x));
            case "affine" -> x -> or(a, 1) * x + or(b, 0);
            case "leakyrelu" -> x -> x >= 0 ? x : or(a, 0.01) * x;
            case "thresholdedrelu" -> x -> x > or(a, 1) ? x : 0;
            case "scaledtanh" -> x -> or(a, 1) * Math.tanh(or(b, 1) * x);
            case "hardsigmoid" -> x -> Math.max(0, Math.min(1, or(a, 0.2) * x + or(b, 0.5)));
            case "elu" -> x -> x >= 0 ? x : or(a, 1) * (Math.exp(x) - 1);
            default -> throw unsupported("activations", name,
                    "Sigmoid, Tanh, Relu, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign or Softplus");
        };
    }

    private static double or(double v, double dflt) {
        return Double.isNaN(v) ? dflt : v;
    }

    /** Gates per step (RNN 1, GRU 3, LSTM 4). */
    abstract int gates();

    /** Whether the op also carries a cell state (LSTM). */
    boolean hasCell() {
        return false;
    }

    /** The clipped pre-activation. */
    final double clipped(double v) {
        return clip == Float.POSITIVE_INFINITY ? v : Math.max(-clip, Math.min(clip, v));
    }

    /**
     * One time step of one direction for one batch row. xw = X_t * W^T + Wb ([G*hidden]),
     * h / c = previous state (read), hOut / cOut = new state (written), rb = Rb ([G*hidden]),
     * r = R of this direction at rOff ([G*hidden, hidden]), p = peepholes or null.
     */
    abstract void step(int dir, double[] xw, float[] h, float[] c, float[] hOut, float[] cOut, float[] r, int rOff,
                       float[] rb, int rbOff, float[] p, int pOff);

    /** sum_k r[rOff + row * hidden + k] * v[k]. */
    final double dotRow(float[] r, int rOff, int row, float[] v) {
        double s = 0;
        int o = rOff + row * hidden;
        for (int k = 0; k < hidden; k++) {
            s += (double) r[o + k] * v[k];
        }
        return s;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        TensorType w = required(in, 1, "W");
        required(in, 2, "R");
        requireFloating(x, "X");
        if (x.shape().rank() != 3 || w.shape().rank() != 3) {
            throw new ShapeException(type + ": X " + x.shape() + " and W " + w.shape() + " must have rank 3");
        }
        if (w.shape().dim(0) >= 0 && w.shape().dim(0) != dirs) {
            throw new ShapeException(type + ": W " + w.shape() + " has " + w.shape().dim(0) + " directions, expected " + dirs);
        }
        if (w.shape().dim(1) >= 0 && w.shape().dim(1) != gates() * hidden) {
            throw new ShapeException(type + ": W " + w.shape() + " should have " + gates() * hidden + " rows");
        }
        int seq = x.shape().dim(layout == 0 ? 0 : 1);
        int batch = x.shape().dim(layout == 0 ? 1 : 0);
        Shape y = layout == 0 ? Shape.of(seq, dirs, batch, hidden) : Shape.of(batch, seq, dirs, hidden);
        Shape state = layout == 0 ? Shape.of(dirs, batch, hidden) : Shape.of(batch, dirs, hidden);
        List<TensorType> r = new ArrayList<>();
        r.add(new TensorType(x.dtype(), y));
        r.add(new TensorType(x.dtype(), state));
        if (hasCell()) {
            r.add(new TensorType(x.dtype(), state));
        }
        return r;
    }

    /** A state input [dirs, batch, hidden] (or batch first) as [dirs][batch * hidden], zeros when absent. */
    private float[][] initialState(Tensor t, int batch) {
        float[][] s = new float[dirs][batch * hidden];
        if (t == null) {
            return s;
        }
        float[] v = f32(t);
        for (int d = 0; d < dirs; d++) {
            for (int b = 0; b < batch; b++) {
                int src = layout == 0 ? (d * batch + b) * hidden : (b * dirs + d) * hidden;
                System.arraycopy(v, src, s[d], b * hidden, hidden);
            }
        }
        return s;
    }

    /** Index of the cell-state input (LSTM's initial_c), or -1. */
    int initialCellInput() {
        return -1;
    }

    /** Index of the peephole input (LSTM's P), or -1. */
    int peepholeInput() {
        return -1;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] xd = x.shape().dims();
        int seq = layout == 0 ? xd[0] : xd[1];
        int batch = layout == 0 ? xd[1] : xd[0];
        int in = xd[2];
        int g = gates() * hidden;
        float[] xv = f32(x);
        float[] w = f32(inputs[1]);
        float[] r = f32(inputs[2]);
        Tensor bias = opt(inputs, 3);
        float[] bv = bias == null ? new float[dirs * 2 * g] : f32(bias);
        Tensor lens = opt(inputs, 4);
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) {
            len[b] = lens == null ? seq : (int) Math.min(seq, Math.max(0, lens.getLong(b)));
        }
        float[][] h = initialState(opt(inputs, 5), batch);
        int ci = initialCellInput();
        float[][] c = hasCell() ? initialState(ci >= 0 ? opt(inputs, ci) : null, batch) : null;
        int pi = peepholeInput();
        Tensor pt = pi >= 0 ? opt(inputs, pi) : null;
        float[] p = pt == null ? null : f32(pt);
        float[] y = new float[seq * dirs * batch * hidden];
        double[] xw = new double[g];
        float[] hNew = new float[hidden];
        float[] cNew = new float[hidden];
        float[] hPrev = new float[hidden];
        float[] cPrev = new float[hidden];
        for (int d = 0; d < dirs; d++) {
            boolean reverse = reverseOnly || d == 1;
            // input projection of every step at once: rows of X (in their layout order) times W^T
            float[] proj = new float[seq * batch * g];
            Gemm.sgemm(false, true, seq * batch, g, in, 1f, xv, 0, in, w, d * g * in, in, 0f, proj, 0, g);
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < len[b]; s++) {
                    int t = reverse ? len[b] - 1 - s : s;
                    int po = (layout == 0 ? t * batch + b : b * seq + t) * g;
                    for (int j = 0; j < g; j++) {
                        xw[j] = (double) proj[po + j] + bv[d * 2 * g + j];
                    }
                    System.arraycopy(h[d], b * hidden, hPrev, 0, hidden);
                    if (c != null) {
                        System.arraycopy(c[d], b * hidden, cPrev, 0, hidden);
                    }
                    step(d, xw, hPrev, cPrev, hNew, cNew, r, d * g * hidden, bv, d * 2 * g + g, p, d * 3 * hidden);
                    System.arraycopy(hNew, 0, h[d], b * hidden, hidden);
                    if (c != null) {
                        System.arraycopy(cNew, 0, c[d], b * hidden, hidden);
                    }
                    int yo = layout == 0 ? ((t * dirs + d) * batch + b) * hidden : ((b * seq + t) * dirs + d) * hidden;
                    System.arraycopy(hNew, 0, y, yo, hidden);
                }
            }
        }
        Shape ys = layout == 0 ? Shape.of(seq, dirs, batch, hidden) : Shape.of(batch, seq, dirs, hidden);
        Shape ss = layout == 0 ? Shape.of(dirs, batch, hidden) : Shape.of(batch, dirs, hidden);
        List<Tensor> outs = new ArrayList<>();
        outs.add(out(x.dtype(), ys, y));
        outs.add(out(x.dtype(), ss, packState(h, batch)));
        if (c != null) {
            outs.add(out(x.dtype(), ss, packState(c, batch)));
        }
        return outs.toArray(new Tensor[0]);
    }

    private float[] packState(float[][] s, int batch) {
        float[] r = new float[dirs * batch * hidden];
        for (int d = 0; d < dirs; d++) {
            for (int b = 0; b < batch; b++) {
                int dst = layout == 0 ? (d * batch + b) * hidden : (b * dirs + d) * hidden;
                System.arraycopy(s[d], b * hidden, r, dst, hidden);
            }
        }
        return r;
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        TensorType x = in.get(0);
        if (elements(x) == 0) {
            return 0;
        }
        Shape s = x.shape();
        return (long) s.dim(0) * s.dim(1) * dirs * gates() * hidden * ((long) s.dim(2) + hidden);
    }
}
