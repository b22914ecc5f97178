package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Parallel;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Softmax and LogSoftmax: normalised along one axis (default -1); for models of opset < 13
 * (attribute _opset) the ONNX 1-12 rule: default axis 1 and the input flattened to 2-D there. Values are
 * computed stably (max subtracted). Backward: softmax dx = y * (dy - sum(dy * y));
 * log-softmax dx = dy - softmax * sum(dy). 0 MACs.
 */
public final class SoftmaxOp extends NnOp {
    private final long axisAttr;
    private final boolean legacy;
    private final boolean log;

    private SoftmaxOp(String type, boolean log, Attributes attrs) {
        super(type, attrs);
        this.log = log;
        this.legacy = opset() < 13;
        this.axisAttr = this.attrs.getInt("axis", legacy ? 1 : -1);
    }

    public static SoftmaxOp softmax(Attributes a) {
        return new SoftmaxOp("Softmax", false, a);
    }

    public static SoftmaxOp logSoftmax(Attributes a) {
        return new SoftmaxOp("LogSoftmax", true, a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "input");
        requireFloating(x, "input");
        axis(axisAttr, x.shape().rank());
        return List.of(x);
    }

    private int[] split(Tensor x) {
        return axisSplit(x.shape(), axisAttr, legacy);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] s = split(x);
        int len = s[1];
        int inner = s[2];
        float[] xv = f32(x);
        float[] y = new float[xv.length];
        Parallel.forRange(s[0] * inner, Math.max(1, 4096 / Math.max(1, len)), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = (r / inner) * len * inner + r % inner;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    max = Math.max(max, xv[base + j * inner]);
                }
                double sum = 0;
                for (int j = 0; j < len; j++) {
                    sum += Math.exp(xv[base + j * inner] - max);
                }
                double logSum = Math.log(sum);
                for (int j = 0; j < len; j++) {
                    int i = base + j * inner;
                    y[i] = log ? (float) (xv[i] - max - logSum) : (float) (Math.exp(xv[i] - max) / sum);
                }
            }
        });
        return new Tensor[] {out(x.dtype(), x.shape(), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        int[] s = split(x);
        int len = s[1];
        int inner = s[2];
        float[] y = f32(outputs[0]);
        float[] dy = f32(gradOutputs[0]);
        float[] dx = new float[y.length];
        for (int r = 0; r < s[0] * inner; r++) {
            int base = (r / inner) * len * inner + r % inner;
            double dot = 0;
            for (int j = 0; j < len; j++) {
                int i = base + j * inner;
                dot += log ? dy[i] : (double) dy[i] * y[i];
            }
            for (int j = 0; j < len; j++) {
                int i = base + j * inner;
                dx[i] = log ? (float) (dy[i] - Math.exp(y[i]) * dot) : (float) (y[i] * (dy[i] - dot));
            }
        }
        return new Tensor[] {out(x.dtype(), x.shape(), dx)};
    }
}
