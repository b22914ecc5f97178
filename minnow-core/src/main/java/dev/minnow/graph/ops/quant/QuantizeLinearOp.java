package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX QuantizeLinear (opset 21+): y = saturate(round_half_even(x / y_scale) + y_zero_point),
 * with scale and zero point per tensor, per axis (attribute axis, default 1) or per block
 * (block_size). The output type is the zero point's, else output_dtype, else uint8; Minnow
 * supports uint8, int8 and int16 outputs (float8 and 4-bit types are rejected). Not differentiable
 * (fake quantization for training lives in the quantization package).
 */
public final class QuantizeLinearOp extends LinearQuantOp {
    public QuantizeLinearOp(Attributes attrs) {
        super("QuantizeLinear", attrs, d -> d == DType.UINT8 || d == DType.INT8 || d == DType.INT16, "uint8 (2), int8 (3) or int16 (5)");
    }

    private DType resultType(TensorType zp) {
        if (zp != null) {
            DType d = zp.dtype();
            if (!(d == DType.UINT8 || d == DType.INT8 || d == DType.INT16)) {
                throw new ShapeException(type + ": zero point type " + d.label + " is not supported (uint8, int8 or int16)");
            }
            return d;
        }
        return outputDtype != null ? outputDtype : DType.UINT8;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "x");
        required(in, 1, "y_scale");
        requireFloating(x, "x");
        return List.of(new TensorType(resultType(opt(in, 2)), x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor zp = opt(inputs, 2);
        DType d = resultType(zp == null ? null : new TensorType(zp.dtype(), zp.shape()));
        Quant.ParamIndex pi = Quant.ParamIndex.of(type, x.shape(), scale.shape(), axis, blockSize);
        if (zp != null && zp.size() != scale.size()) {
            throw new ShapeException(type + ": zero point " + zp.shape() + " must match the scale " + scale.shape());
        }
        float[] xv = f32(x);
        float[] sv = f32(scale);
        int[] zv = Quant.zeroPoints(zp);
        if (sv.length == 1 && (d == DType.UINT8 || d == DType.INT8)) { // per tensor, 8-bit: straight to bytes
            Tensor out = Tensor.zeros(d, x.shape());
            byte[] ob = out.bytes();
            double lo = Quant.min(d);
            double hi = Quant.max(d);
            for (int i = 0; i < xv.length; i++) {
                ob[i] = (byte) Math.max(lo, Math.min(hi, Math.rint(xv[i] / sv[0]) + zv[0]));
            }
            return new Tensor[] {out};
        }
        long[] q = new long[xv.length];
        for (int i = 0; i < q.length; i++) {
            int p = pi.at(i);
            q[i] = Quant.quantize(xv[i] / sv[p], zv.length == 1 ? zv[0] : zv[p], d);
        }
        return new Tensor[] {Quant.tensor(d, x.shape(), q)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.QUANT_PARAM : InputRole.DATA;
    }
}
