package dev.minnow.graph.ops.sequence;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Shared part of the ONNX recurrent ops RNN, GRU and LSTM (opset 14+, forward and backpropagation through time): inputs X,
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
    /** Their derivatives with respect to the pre-activation x: [dir][k]. */
    final DoubleUnaryOperator[][] activationGrads;

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
        this.activationGrads = new DoubleUnaryOperator[dirs][k];
        int[] used = new int[2];
        for (int i = 0; i < names.length; i++) {
            DoubleUnaryOperator[] fd = activation(names[i], alphas, betas, used);
            activations[i / k][i % k] = fd[0];
            activationGrads[i / k][i % k] = fd[1];
        }
    }

    /**
     * One named activation and its derivative {f, f'}; alpha / beta values are consumed in order
     * by the activations that take them.
     */
    private DoubleUnaryOperator[] activation(String name, double[] alphas, double[] betas, int[] used) {
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
        double al = or(a, switch (name.toLowerCase()) {
            case "leakyrelu" -> 0.01;
            case "hardsigmoid" -> 0.2;
            default -> 1;
        });
        double be = or(b, switch (name.toLowerCase()) {
            case "scaledtanh" -> 1;
            case "hardsigmoid" -> 0.5;
            default -> 0;
        });
        return switch (name.toLowerCase()) {
            case "sigmoid" -> fd(RecurrentOp::sigmoid, x -> sigmoid(x) * (1 - sigmoid(x)));
            case "tanh" -> fd(Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x));
            case "relu" -> fd(x -> Math.max(0, x), x -> x > 0 ? 1 : 0);
            case "softsign" -> fd(x -> x / (1 + Math.abs(x)), x -> 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))));
            case "softplus" -> fd(x -> Math.log1p(Math.exp(x)), RecurrentOp::sigmoid);
            case "affine" -> fd(x -> al * x + be, x -> al);
            case "leakyrelu" -> fd(x -> x >= 0 ? x : al * x, x -> x >= 0 ? 1 : al);
            case "thresholdedrelu" -> fd(x -> x > al ? x : 0, x -> x > al ? 1 : 0);
            case "scaledtanh" -> fd(x -> al * Math.tanh(be * x), x -> al * be * (1 - Math.tanh(be * x) * Math.tanh(be * x)));
            case "hardsigmoid" -> fd(x -> Math.max(0, Math.min(1, al * x + be)),
                    x -> al * x + be > 0 && al * x + be < 1 ? al : 0);
            case "elu" -> fd(x -> x >= 0 ? x : al * (Math.exp(x) - 1), x -> x >= 0 ? 1 : al * Math.exp(x));
            default -> throw unsupported("activations", name,
                    "Sigmoid, Tanh, Relu, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign or Softplus");
        };
    }

    private static DoubleUnaryOperator[] fd(DoubleUnaryOperator f, DoubleUnaryOperator d) {
        return new DoubleUnaryOperator[] {f, d};
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
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

    /** The parsed inputs of one run; bv is zeros when B is absent, p null without peepholes. */
    private record Args(int seq, int batch, int in, float[] x, float[] w, float[] r, float[] bv, int[] len,
                        float[][] h0, float[][] c0, float[] p) {
    }

    private Args args(Tensor[] inputs) {
        int[] xd = inputs[0].shape().dims();
        int seq = layout == 0 ? xd[0] : xd[1];
        int batch = layout == 0 ? xd[1] : xd[0];
        int g = gates() * hidden;
        Tensor bias = opt(inputs, 3);
        Tensor lens = opt(inputs, 4);
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) {
            len[b] = lens == null ? seq : (int) Math.min(seq, Math.max(0, lens.getLong(b)));
        }
        int ci = initialCellInput();
        int pi = peepholeInput();
        Tensor pt = pi >= 0 ? opt(inputs, pi) : null;
        return new Args(seq, batch, xd[2], f32(inputs[0]), f32(inputs[1]), f32(inputs[2]),
                bias == null ? new float[dirs * 2 * g] : f32(bias), len, initialState(opt(inputs, 5), batch),
                hasCell() ? initialState(ci >= 0 ? opt(inputs, ci) : null, batch) : null, pt == null ? null : f32(pt));
    }

    /** Offset of step t of batch row b in a [seq, batch] (layout 0) or [batch, seq] (layout 1) row order. */
    private int row(Args a, int t, int b) {
        return layout == 0 ? t * a.batch + b : b * a.seq + t;
    }

    /** Offset of (t, d, b) in Y. */
    private int yOffset(Args a, int t, int d, int b) {
        return (layout == 0 ? (t * dirs + d) * a.batch + b : (b * a.seq + t) * dirs + d) * hidden;
    }

    /** Offset of (d, b) in a state tensor. */
    private int stateOffset(Args a, int d, int b) {
        return (layout == 0 ? d * a.batch + b : b * dirs + d) * hidden;
    }

    /** The input projections X W^T of direction d, rows in layout order ([seq * batch, G*hidden]). */
    private float[] projection(Args a, int d) {
        int g = gates() * hidden;
        float[] proj = new float[a.seq * a.batch * g];
        Gemm.sgemm(false, true, a.seq * a.batch, g, a.in, 1f, a.x, 0, a.in, a.w, d * g * a.in, a.in, 0f, proj, 0, g);
        return proj;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Args a = args(inputs);
        int seq = a.seq;
        int batch = a.batch;
        float[][] h = a.h0;
        float[][] c = a.c0;
        float[] y = new float[seq * dirs * batch * hidden];
        run(a, y, null, null);
        DType dt = inputs[0].dtype();
        Shape ys = layout == 0 ? Shape.of(seq, dirs, batch, hidden) : Shape.of(batch, seq, dirs, hidden);
        Shape ss = layout == 0 ? Shape.of(dirs, batch, hidden) : Shape.of(batch, dirs, hidden);
        List<Tensor> outs = new ArrayList<>();
        outs.add(out(dt, ys, y));
        outs.add(out(dt, ss, packState(h, batch)));
        if (c != null) {
            outs.add(out(dt, ss, packState(c, batch)));
        }
        return outs.toArray(new Tensor[0]);
    }

    /**
     * Runs every direction, updating a.h0 / a.c0 in place to the final states and writing Y.
     * When hTrace is not null, hTrace[d][(b * seq + s) * hidden ..] (and cTrace) receive the
     * state before step s of batch row b.
     */
    private void run(Args a, float[] y, float[][] hTrace, float[][] cTrace) {
        int g = gates() * hidden;
        float[][] h = a.h0;
        float[][] c = a.c0;
        double[] xw = new double[g];
        float[] hNew = new float[hidden];
        float[] cNew = new float[hidden];
        float[] hPrev = new float[hidden];
        float[] cPrev = new float[hidden];
        for (int d = 0; d < dirs; d++) {
            boolean reverse = reverseOnly || d == 1;
            float[] proj = projection(a, d);
            for (int b = 0; b < a.batch; b++) {
                for (int s = 0; s < a.len[b]; s++) {
                    int t = reverse ? a.len[b] - 1 - s : s;
                    int po = row(a, t, b) * g;
                    for (int j = 0; j < g; j++) {
                        xw[j] = (double) proj[po + j] + a.bv[d * 2 * g + j];
                    }
                    System.arraycopy(h[d], b * hidden, hPrev, 0, hidden);
                    if (c != null) {
                        System.arraycopy(c[d], b * hidden, cPrev, 0, hidden);
                    }
                    if (hTrace != null) {
                        System.arraycopy(hPrev, 0, hTrace[d], (b * a.seq + s) * hidden, hidden);
                        if (c != null) {
                            System.arraycopy(cPrev, 0, cTrace[d], (b * a.seq + s) * hidden, hidden);
                        }
                    }
                    step(d, xw, hPrev, cPrev, hNew, cNew, a.r, d * g * hidden, a.bv, d * 2 * g + g, a.p, d * 3 * hidden);
                    System.arraycopy(hNew, 0, h[d], b * hidden, hidden);
                    if (c != null) {
                        System.arraycopy(cNew, 0, c[d], b * hidden, hidden);
                    }
                    System.arraycopy(hNew, 0, y, yOffset(a, t, d, b), hidden);
                }
            }
        }
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /**
     * Backpropagation through time: recomputes the forward pass keeping the state before every
     * step, then walks each sequence back from its last valid step. Gradients for X, W, R, B,
     * initial_h (and initial_c, P); none for sequence_lens.
     */
    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Args a = args(inputs);
        int g = gates() * hidden;
        int steps = a.batch * a.seq * hidden;
        float[][] hTrace = new float[dirs][steps];
        float[][] cTrace = hasCell() ? new float[dirs][steps] : null;
        run(a, new float[a.seq * dirs * a.batch * hidden], hTrace, cTrace);
        float[] gy = gradOf(gradOutputs, 0);
        float[] gh = gradOf(gradOutputs, 1);
        float[] gc = hasCell() ? gradOf(gradOutputs, 2) : null;
        float[] dx = new float[a.x.length];
        float[] dw = new float[a.w.length];
        double[] dr = new double[a.r.length];
        double[] db = new double[dirs * 2 * g];
        double[] dp = a.p == null ? null : new double[a.p.length];
        float[] dh0 = new float[dirs * a.batch * hidden];
        float[] dc0 = new float[dirs * a.batch * hidden];
        double[] xw = new double[g];
        double[] dxw = new double[g];
        double[] dhOut = new double[hidden];
        double[] dcOut = new double[hidden];
        double[] dh = new double[hidden];
        double[] dc = new double[hidden];
        float[] hPrev = new float[hidden];
        float[] cPrev = new float[hidden];
        for (int d = 0; d < dirs; d++) {
            boolean reverse = reverseOnly || d == 1;
            float[] proj = projection(a, d);
            float[] dproj = new float[a.seq * a.batch * g];
            for (int b = 0; b < a.batch; b++) {
                int so = stateOffset(a, d, b);
                for (int j = 0; j < hidden; j++) {
                    dh[j] = gh == null ? 0 : gh[so + j];
                    dc[j] = gc == null ? 0 : gc[so + j];
                }
                for (int s = a.len[b] - 1; s >= 0; s--) {
                    int t = reverse ? a.len[b] - 1 - s : s;
                    int po = row(a, t, b) * g;
                    int yo = yOffset(a, t, d, b);
                    for (int j = 0; j < g; j++) {
                        xw[j] = (double) proj[po + j] + a.bv[d * 2 * g + j];
                    }
                    for (int j = 0; j < hidden; j++) {
                        dhOut[j] = dh[j] + (gy == null ? 0 : gy[yo + j]);
                        dcOut[j] = dc[j];
                    }
                    System.arraycopy(hTrace[d], (b * a.seq + s) * hidden, hPrev, 0, hidden);
                    if (cTrace != null) {
                        System.arraycopy(cTrace[d], (b * a.seq + s) * hidden, cPrev, 0, hidden);
                    }
                    java.util.Arrays.fill(dh, 0);
                    java.util.Arrays.fill(dc, 0);
                    stepBackward(d, xw, hPrev, cPrev, a.r, d * g * hidden, a.bv, d * 2 * g + g, a.p, d * 3 * hidden,
                            dhOut, dcOut, dxw, dh, dc, dr, db, dp);
                    for (int j = 0; j < g; j++) {
                        dproj[po + j] = (float) dxw[j];
                        db[d * 2 * g + j] += dxw[j];
                    }
                }
                for (int j = 0; j < hidden; j++) {
                    dh0[so + j] = (float) dh[j];
                    dc0[so + j] = (float) dc[j];
                }
            }
            // dX += dProj W_d, dW_d = dProj^T X
            Gemm.sgemm(false, false, a.seq * a.batch, a.in, g, 1f, dproj, 0, g, a.w, d * g * a.in, a.in, 1f, dx, 0, a.in);
            Gemm.sgemm(true, false, g, a.in, a.seq * a.batch, 1f, dproj, 0, g, a.x, 0, a.in, 0f, dw, d * g * a.in, a.in);
        }
        float[][] grads = new float[inputs.length][];
        grads[0] = dx;
        grads[1] = dw;
        grads[2] = toFloats(dr);
        grads[3] = toFloats(db);
        if (inputs.length > 5) {
            grads[5] = dh0;
        }
        int ci = initialCellInput();
        if (ci >= 0 && ci < inputs.length) {
            grads[ci] = dc0;
        }
        int pi = peepholeInput();
        if (pi >= 0 && pi < inputs.length && dp != null) {
            grads[pi] = toFloats(dp);
        }
        return gradients(inputs, grads);
    }

    private static float[] gradOf(Tensor[] gradOutputs, int i) {
        return gradOutputs == null || i >= gradOutputs.length || gradOutputs[i] == null ? null : f32(gradOutputs[i]);
    }

    private static float[] toFloats(double[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (float) v[i];
        }
        return r;
    }

    /**
     * Backward of one step, recomputing its forward from the same arguments as {@link #step}.
     * dhOut / dcOut: gradients of the new state (dcOut unused without a cell). Writes dxw
     * ([G*hidden], the gradient of the gates' input part X W^T + Wb); adds into dh / dc (the
     * previous state's gradients, zeroed by the caller), dr at rOff, drb at rbOff and dp at pOff
     * (dp null without peepholes).
     */
    abstract void stepBackward(int dir, double[] xw, float[] h, float[] c, float[] r, int rOff, float[] rb, int rbOff,
                               float[] p, int pOff, double[] dhOut, double[] dcOut, double[] dxw, double[] dh, double[] dc,
                               double[] dr, double[] drb, double[] dp);

    /** 1 where the pre-activation v is inside the clip range (its gradient passes), else 0. */
    final double clipGrad(double v) {
        return clip == Float.POSITIVE_INFINITY || (v >= -clip && v <= clip) ? 1 : 0;
    }

    /**
     * For a gate row with pre-activation gradient gr: dr[row] += gr * v (the recurrent weights'
     * gradient) and dv += gr * r[row] (the gradient of the vector the row multiplied).
     */
    final void backRow(float[] r, int rOff, int row, float[] v, double gr, double[] dr, double[] dv) {
        int o = rOff + row * hidden;
        for (int k = 0; k < hidden; k++) {
            dr[o + k] += gr * v[k];
            dv[k] += gr * r[o + k];
        }
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

    // input roles: W, R and LSTM peepholes P are weights, B the biases; X, sequence_lens and initial states are data
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1, 2, 7 -> InputRole.WEIGHT;
            case 3 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }
}
