package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX QLinearConv (opset 10): inputs x, x_scale, x_zero_point, w, w_scale, w_zero_point,
 * y_scale, y_zero_point, optional B (int32). The convolution of the zero-point-free integers is
 * exact; y = saturate(round_half_even(float(acc + B[m]) * s[m]) + y_zero_point) with the float32
 * multiplier s[m] = float(float(x_scale * w_scale[m]) / y_scale), as ONNX Runtime requantizes (so
 * results match it bit for bit, also for the DequantizeLinear / Conv / QuantizeLinear groups the
 * inference executor fuses into this op). w_scale / w_zero_point per tensor or per output channel.
 * The output type is y_zero_point's. MACs as Conv.
 */
public final class QLinearConvOp extends NnOp {
    private final ConvOp conv;

    public QLinearConvOp(Attributes attrs) {
        super("QLinearConv", attrs);
        this.conv = new ConvOp(type, this.attrs);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "x");
        TensorType w = required(in, 3, "w");
        required(in, 1, "x_scale");
        required(in, 4, "w_scale");
        required(in, 6, "y_scale");
        ConvIntegerOp.requireInteger(type, x, "x");
        ConvIntegerOp.requireInteger(type, w, "w");
        TensorType yzp = opt(in, 7);
        TensorType b = opt(in, 8);
        Shape out = conv.outputShape(x.shape(), w.shape(), b == null ? null : b.shape());
        return List.of(new TensorType(yzp != null ? yzp.dtype() : x.dtype(), out));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[3];
        Tensor yzp = opt(inputs, 7);
        Tensor bias = opt(inputs, 8);
        DType outType = yzp != null ? yzp.dtype() : x.dtype();
        ConvGeometry g = conv.geometry(x.shape(), w.shape());
        int[] acc = ConvIntegerOp.convolve(g, ConvIntegerOp.shifted(x, opt(inputs, 2), type),
                ConvIntegerOp.shiftedWeights(w, opt(inputs, 5), type));
        float xs = f32(inputs[1])[0];
        float[] ws = f32(inputs[4]);
        float ys = f32(inputs[6])[0];
        int m = g.outChannels();
        if (ws.length != 1 && ws.length != m) {
            throw new ShapeException(type + ": w_scale must have 1 or " + m + " values, got " + inputs[4].shape());
        }
        int[] b = bias == null ? null : Quant.ints(bias);
        long zp = Quant.zeroPoints(yzp)[0];
        int plane = g.outH() * g.outW();
        long[] q = new long[acc.length];
        float[] multiplier = new float[m];
        for (int ch = 0; ch < m; ch++) {
            multiplier[ch] = xs * ws[ws.length == 1 ? 0 : ch] / ys; // float32 steps, as ONNX Runtime
        }
        for (int i = 0; i < q.length; i++) {
            int ch = (i / plane) % m;
            float v = (float) (acc[i] + (b == null ? 0 : b[ch])) * multiplier[ch];
            q[i] = Quant.quantize(v, zp, outType);
        }
        return new Tensor[] {Quant.tensor(outType, conv.outShape(x.shape(), g), q)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return conv.macs(List.of(in.get(0), in.get(3)), out);
    }
}
