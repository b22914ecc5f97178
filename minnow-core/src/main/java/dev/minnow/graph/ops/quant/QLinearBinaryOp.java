package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Runtime's contrib QLinearAdd and QLinearMul (com.microsoft): inputs A, A_scale,
 * A_zero_point, B, B_scale, B_zero_point, C_scale, C_zero_point (per tensor), numpy broadcasting,
 * output the type of A. Computed in the float32 steps of ONNX Runtime's x86 kernels (MLAS), so
 * the codes match it bit for bit:
 * Add: y = round_half_even(fma(b, B_scale / C_scale, fma(a, A_scale / C_scale, f))) with
 * f = C_zero_point - (A_zero_point A_scale / C_scale + B_zero_point B_scale / C_scale);
 * Mul: y = round_half_even((a - za)(b - zb) * (A_scale * B_scale / C_scale)) + C_zero_point;
 * both saturated to the type. The inference executor runs DequantizeLinear x2 -> Add ->
 * QuantizeLinear as QLinearAdd.
 */
public final class QLinearBinaryOp extends NnOp {
    private final boolean mul;

    private QLinearBinaryOp(String type, Attributes attrs) {
        super(type, attrs);
        this.mul = type.equals("QLinearMul");
    }

    static QLinearBinaryOp add(Attributes a) {
        return new QLinearBinaryOp("QLinearAdd", a);
    }

    static QLinearBinaryOp mul(Attributes a) {
        return new QLinearBinaryOp("QLinearMul", a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "A");
        TensorType b = required(in, 3, "B");
        required(in, 1, "A_scale");
        required(in, 4, "B_scale");
        required(in, 6, "C_scale");
        ConvIntegerOp.requireInteger(type, a, "A");
        ConvIntegerOp.requireInteger(type, b, "B");
        return List.of(new TensorType(a.dtype(), QBroadcast.shape(type, a.shape(), b.shape())));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[3];
        DType t = a.dtype();
        Shape out = QBroadcast.shape(type, a.shape(), b.shape());
        int[] av = Quant.ints(a);
        int[] bv = Quant.ints(b);
        int[] ai = a.shape().equals(out) ? null : QBroadcast.map(a.shape(), out);
        int[] bi = b.shape().equals(out) ? null : QBroadcast.map(b.shape(), out);
        float as = f32(inputs[1])[0];
        float bs = f32(inputs[4])[0];
        float cs = f32(inputs[6])[0];
        int za = Quant.zeroPoints(opt(inputs, 2))[0];
        int zb = Quant.zeroPoints(opt(inputs, 5))[0];
        int zc = Quant.zeroPoints(opt(inputs, 7))[0];
        float lo = Quant.min(t);
        float hi = Quant.max(t);
        Tensor y = Tensor.zeros(t, out);
        byte[] yb = y.bytes();
        int n = yb.length;
        if (mul) {
            float scale = as * bs / cs;
            for (int i = 0; i < n; i++) {
                int x = av[ai == null ? i : ai[i]] - za;
                int z = bv[bi == null ? i : bi[i]] - zb;
                float v = (float) Math.rint((float) (x * z) * scale) + zc;
                yb[i] = (byte) Math.max(lo, Math.min(hi, v));
            }
        } else {
            float rac = as / cs;
            float rbc = bs / cs;
            float fixed = zc - (rac * za + rbc * zb);
            for (int i = 0; i < n; i++) {
                float v = Math.fma((float) bv[bi == null ? i : bi[i]], rbc, Math.fma((float) av[ai == null ? i : ai[i]], rac, fixed));
                yb[i] = (byte) Math.rint(Math.max(lo, Math.min(hi, v)));
            }
        }
        return new Tensor[] {y};
    }

    @Override
    public InputRole inputRole(int index) {
        return index == 0 || index == 3 ? InputRole.DATA : InputRole.QUANT_PARAM;
    }

    // an ONNX Runtime contrib op: nodes made from it are written in ORT's domain
    @Override
    public String domain() {
        return OpRegistry.MICROSOFT_DOMAIN;
    }
}
