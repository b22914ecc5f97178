package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Runtime's contrib QLinearGlobalAveragePool (com.microsoft; channels_last 0 only): inputs
 * X (uint8 / int8), x_scale, x_zero_point, y_scale, y_zero_point, all per tensor. Per (n, c)
 * plane of S values the integer sum acc = sum(x) - x_zero_point * S is exact, then
 * y = saturate(round_half_even(float(acc) * float(float(x_scale / S) / y_scale)) + y_zero_point),
 * the float32 steps of ONNX Runtime's kernel (MLAS), so results match it bit for bit. The
 * inference executor also runs DequantizeLinear -> GlobalAveragePool (or an AveragePool whose
 * window is the whole input) -> QuantizeLinear as this op. Output [N, C, 1, ..., 1], the type of X.
 */
public final class QLinearGlobalAveragePoolOp extends NnOp {
    public QLinearGlobalAveragePoolOp(Attributes attrs) {
        super("QLinearGlobalAveragePool", attrs);
        long channelsLast = this.attrs.getInt("channels_last", 0);
        if (channelsLast != 0) {
            throw unsupported("channels_last", channelsLast, "0 (NCHW)");
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        required(in, 1, "x_scale");
        required(in, 3, "y_scale");
        requireRank(x, 3, "X");
        ConvIntegerOp.requireInteger(type, x, "X");
        return List.of(new TensorType(x.dtype(), outShape(x.shape())));
    }

    private static Shape outShape(Shape in) {
        int[] d = in.dims();
        for (int i = 2; i < d.length; i++) {
            d[i] = 1;
        }
        return Shape.of(d);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int planes = d[0] * d[1];
        int s = prod(d, 2, d.length);
        int[] v = Quant.ints(x);
        long xzp = Quant.zeroPoints(opt(inputs, 2))[0];
        long yzp = Quant.zeroPoints(opt(inputs, 4))[0];
        float multiplier = f32(inputs[1])[0] / (float) s / f32(inputs[3])[0]; // float32 steps, as ONNX Runtime
        DType outType = x.dtype();
        long[] q = new long[planes];
        for (int pl = 0; pl < planes; pl++) {
            long acc = -xzp * s;
            for (int i = pl * s; i < (pl + 1) * s; i++) {
                acc += v[i];
            }
            q[pl] = Quant.quantize((float) acc * multiplier, yzp, outType);
        }
        return new Tensor[] {Quant.tensor(outType, outShape(x.shape()), q)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.QUANT_PARAM : InputRole.DATA;
    }

    // an ONNX Runtime contrib op: nodes made from it are written in ORT's domain
    @Override
    public String domain() {
        return dev.minnow.graph.OpRegistry.MICROSOFT_DOMAIN;
    }
}
