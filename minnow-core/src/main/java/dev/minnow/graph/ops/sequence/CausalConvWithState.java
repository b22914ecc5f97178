package dev.minnow.graph.ops.sequence;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * CausalConvWithState(input [B, C, L], weight [C, 1, k], bias?, past_state? [B, C, k-1])
 * (opset 27): a depthwise causal 1-D convolution over the input with the past state (or
 * zeros) in front, optionally followed by SiLU (activation silu or swish); also outputs the
 * last k-1 input steps as the next state. Backward reaches the input, weight, bias and past state.
 */
final class CausalConvWithState extends AbstractOp {
    private final boolean silu;

    CausalConvWithState(Attributes a) {
        super("CausalConvWithState", a);
        String act = a.getString("activation", "none");
        if (!List.of("none", "silu", "swish").contains(act)) {
            throw unsupported("activation", act, "none, silu, swish");
        }
        silu = !act.equals("none");
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        TensorType w = required(inputs, 1);
        if (x.shape().rank() != 3 || w.shape().rank() != 3) {
            throw shapeError("input must be [B, C, L] and weight [C, 1, k], got " + x.shape() + " and " + w.shape());
        }
        int k = w.shape().dim(2);
        return List.of(x, new TensorType(x.dtype(), Shape.of(x.shape().dim(0), x.shape().dim(1), k < 0 ? k : k - 1)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return run(inputs, null);
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        return run(inputs, gradOutputs);
    }

    /** Forward (gradOutputs null: output and next state) or backward (gradients of input, weight, bias, past state). */
    private Tensor[] run(Tensor[] inputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        int b = x.shape().dim(0);
        int c = x.shape().dim(1);
        int len = x.shape().dim(2);
        int k = inputs[1].shape().dim(2);
        double[] xv = Elems.doubles(x);
        double[] w = Elems.doubles(inputs[1]);
        Tensor biasT = input(inputs, 2);
        double[] bias = biasT == null ? null : Elems.doubles(biasT);
        Tensor pastT = input(inputs, 3);
        double[] past = pastT == null ? null : Elems.doubles(pastT);
        int padded = len + k - 1;
        boolean back = gradOutputs != null;
        double[] gy = back && gradOutputs[0] != null ? Elems.doubles(gradOutputs[0]) : null;
        double[] gState = back && gradOutputs.length > 1 && gradOutputs[1] != null ? Elems.doubles(gradOutputs[1]) : null;
        double[] out = new double[b * c * len];
        double[] state = new double[b * c * (k - 1)];
        double[] dw = new double[w.length];
        double[] dBias = new double[c];
        double[] dPast = new double[state.length];
        double[] dx = back ? new double[xv.length] : null;
        double[] row = new double[padded];
        double[] dRow = new double[padded];
        for (int bc = 0; bc < b * c; bc++) {
            int ch = bc % c;
            for (int j = 0; j < k - 1; j++) {
                row[j] = past == null ? 0 : past[bc * (k - 1) + j];
            }
            System.arraycopy(xv, bc * len, row, k - 1, len);
            java.util.Arrays.fill(dRow, 0);
            for (int t = 0; t < len; t++) {
                double s = bias == null ? 0 : bias[ch];
                for (int j = 0; j < k; j++) {
                    s += w[ch * k + j] * row[t + j];
                }
                double sig = sigmoid(s);
                out[bc * len + t] = silu ? s * sig : s;
                if (gy != null) {
                    double ds = gy[bc * len + t] * (silu ? sig * (1 + s * (1 - sig)) : 1);
                    dBias[ch] += ds;
                    for (int j = 0; j < k; j++) {
                        dw[ch * k + j] += ds * row[t + j];
                        dRow[t + j] += ds * w[ch * k + j];
                    }
                }
            }
            System.arraycopy(row, padded - (k - 1), state, bc * (k - 1), k - 1);
            for (int j = 0; gState != null && j < k - 1; j++) {
                dRow[padded - (k - 1) + j] += gState[bc * (k - 1) + j];
            }
            if (back) {
                System.arraycopy(dRow, 0, dPast, bc * (k - 1), k - 1);
                System.arraycopy(dRow, k - 1, dx, bc * len, len);
            }
        }
        if (back) {
            Tensor[] r = new Tensor[inputs.length];
            r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), dx);
            r[1] = Elems.fromDoubles(DType.FLOAT32, inputs[1].shape(), dw);
            if (biasT != null) {
                r[2] = Elems.fromDoubles(DType.FLOAT32, biasT.shape(), dBias);
            }
            if (pastT != null) {
                r[3] = Elems.fromDoubles(DType.FLOAT32, pastT.shape(), dPast);
            }
            return r;
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), x.shape(), out), Elems.fromDoubles(x.dtype(), Shape.of(b, c, k - 1), state)};
    }

    @Override
    public long macs(List<TensorType> inputs, List<TensorType> outputs) {
        TensorType w = inputs.get(1);
        return w == null || !w.shape().isStatic() ? 0 : elements(outputs.get(0)) * w.shape().dim(2);
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }

    /** The logistic function, as UnaryOps' Sigmoid computes it. */
    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
