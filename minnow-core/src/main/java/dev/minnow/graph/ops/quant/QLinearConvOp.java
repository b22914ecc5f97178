package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Int8Conv2d;
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

    /**
     * One weight tensor prepared for the integer kernel (packed, row sums): made once by the
     * inference kernel for constant weights, per call by {@link #forward}.
     */
    public record PreparedWeights(Tensor w, Tensor zeroPoint, Int8Conv2d.Weights weights) {
    }

    /** Prepares w (and its zero point, null when absent) for {@link #forward(Tensor[], PreparedWeights)}. */
    public PreparedWeights prepare(Tensor w, Tensor zeroPoint) {
        return new PreparedWeights(w, zeroPoint, prepareCodes(type, attrs.getInt("group", 1), w, zeroPoint));
    }

    /** Weights [M, C/group, kH, kW] of uint8 / int8 with their zero point for {@link Int8Conv2d}. */
    static Int8Conv2d.Weights prepareCodes(String op, long group, Tensor w, Tensor zeroPoint) {
        int m = w.shape().dim(0);
        if (w.dtype() != DType.UINT8 && w.dtype() != DType.INT8) {
            throw new ShapeException(op + ": w must be uint8 or int8, got " + w.dtype().label);
        }
        int[] zp = Quant.zeroPoints(zeroPoint);
        if (zp.length != 1 && zp.length != m) {
            throw new ShapeException(op + ": the weight zero point must have 1 or " + m + " values, got "
                    + zeroPoint.shape());
        }
        if (group < 1 || m % group != 0) {
            throw new ShapeException(op + ": group " + group + " must divide the " + m + " output channels");
        }
        int per = m == 0 ? 0 : w.size() / m;
        boolean depthwise = group > 1 && group == m && w.shape().dim(1) == 1;
        return Int8Conv2d.prepare(w.bytes(), w.dtype() == DType.UINT8, zp, m, (int) group, per, depthwise);
    }

    /** x's single zero point as an int (0 when absent). */
    static int inputZeroPoint(Tensor zp, String op) {
        int[] z = Quant.zeroPoints(zp);
        if (z.length != 1) {
            throw new ShapeException(op + ": the input zero point must be a single value, got " + zp.shape());
        }
        return z[0];
    }

    /** The exact int32 convolution of x's codes (ConvInteger's result, QLinearConv's accumulator). */
    static int[] accumulate(String op, ConvGeometry g, Tensor x, Tensor xZero, Int8Conv2d.Weights w) {
        if (x.dtype() != DType.UINT8 && x.dtype() != DType.INT8) {
            throw new ShapeException(op + ": x must be uint8 or int8, got " + x.dtype().label);
        }
        int[] acc = new int[g.outputSize()];
        Int8Conv2d.forward(g, x.bytes(), x.dtype() == DType.UINT8, inputZeroPoint(xZero, op), w, acc);
        return acc;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return forward(inputs, prepare(inputs[3], opt(inputs, 5)));
    }

    /** Forward with weights prepared from inputs[3] and inputs[5] (same tensors). */
    public Tensor[] forward(Tensor[] inputs, PreparedWeights pw) {
        Tensor x = inputs[0];
        Tensor w = inputs[3];
        Tensor yzp = opt(inputs, 7);
        Tensor bias = opt(inputs, 8);
        DType outType = yzp != null ? yzp.dtype() : x.dtype();
        ConvGeometry g = conv.geometry(x.shape(), w.shape());
        int[] acc = accumulate(type, g, x, opt(inputs, 2), pw.weights());
        float xs = f32(inputs[1])[0];
        float[] ws = f32(inputs[4]);
        float ys = f32(inputs[6])[0];
        int m = g.outChannels();
        if (ws.length != 1 && ws.length != m) {
            throw new ShapeException(type + ": w_scale must have 1 or " + m + " values, got " + inputs[4].shape());
        }
        int[] b = bias == null ? null : Quant.ints(bias);
        long zp = Quant.zeroPoints(yzp)[0];
        long lo = Quant.min(outType);
        long hi = Quant.max(outType);
        int plane = g.outH() * g.outW();
        Tensor out = Tensor.zeros(outType, conv.outShape(x.shape(), g));
        boolean bytes = outType == DType.UINT8 || outType == DType.INT8;
        byte[] ob = bytes ? out.bytes() : null;
        long[] q = bytes ? null : new long[acc.length];
        for (int i0 = 0, ch = 0; i0 < acc.length; i0 += plane, ch = (ch + 1) % m) {
            float multiplier = xs * ws[ws.length == 1 ? 0 : ch] / ys; // float32 steps, as ONNX Runtime
            int add = b == null ? 0 : b[ch];
            for (int i = i0; i < i0 + plane; i++) {
                float v = (float) (acc[i] + add) * multiplier;
                long r = (long) Math.max(lo, Math.min(hi, Math.rint(v) + zp)); // round half to even, saturate
                if (bytes) {
                    ob[i] = (byte) r;
                } else {
                    q[i] = r;
                }
            }
        }
        return new Tensor[] {bytes ? out : Quant.tensor(outType, out.shape(), q)};
    }

    /** The group attribute. */
    public int group() {
        return (int) attrs.getInt("group", 1);
    }

    /** The convolution geometry for input shape x and weight shape w. */
    public ConvGeometry geometry(Shape x, Shape w) {
        return conv.geometry(x, w);
    }

    /** The output shape for input shape x under geometry g. */
    public Shape outShape(Shape x, ConvGeometry g) {
        return conv.outShape(x, g);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return conv.macs(List.of(in.get(0), in.get(3)), out);
    }

    // input roles: x, w (int8 weight) and B (int32 bias) carry values; the rest are scales and zero points
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 3 -> InputRole.WEIGHT;
            case 8 -> InputRole.BIAS;
            case 0 -> InputRole.DATA;
            default -> InputRole.QUANT_PARAM;
        };
    }
}
