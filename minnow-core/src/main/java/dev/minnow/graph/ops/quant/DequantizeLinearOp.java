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
 * ONNX DequantizeLinear (opset 21+): y = (x - x_zero_point) * x_scale for uint8, int8, int16
 * and int32 x, with the scale per tensor, per axis (axis, default 1) or per block (block_size).
 * The output has the scale's type unless output_dtype names another float type. 0 MACs.
 */
public final class DequantizeLinearOp extends LinearQuantOp {
    public DequantizeLinearOp(Attributes attrs) {
        super("DequantizeLinear", attrs, DType::isFloating, "a floating-point type");
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "x");
        TensorType s = required(in, 1, "x_scale");
        if (!Quant.isInteger(x.dtype())) {
            throw new ShapeException(type + ": x must be uint8, int8, int16 or int32, got " + x.dtype().label);
        }
        requireFloating(s, "x_scale");
        return List.of(new TensorType(outputDtype != null ? outputDtype : s.dtype(), x.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor scale = inputs[1];
        Tensor zp = opt(inputs, 2);
        Quant.ParamIndex pi = Quant.ParamIndex.of(type, x.shape(), scale.shape(), axis, blockSize);
        if (zp != null && zp.size() != scale.size()) {
            throw new ShapeException(type + ": zero point " + zp.shape() + " must match the scale " + scale.shape());
        }
        int[] xv = Quant.ints(x);
        float[] sv = f32(scale);
        int[] zv = Quant.zeroPoints(zp);
        float[] y = new float[xv.length];
        if (sv.length == 1) { // per tensor: no parameter lookup per element
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (xv[i] - zv[0]) * sv[0];
            }
        } else {
            for (int i = 0; i < y.length; i++) {
                int p = pi.at(i);
                y[i] = (float) (xv[i] - (zv.length == 1 ? zv[0] : zv[p])) * sv[p];
            }
        }
        return new Tensor[] {out(outputDtype != null ? outputDtype : scale.dtype(), x.shape(), y)};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.QUANT_PARAM : InputRole.DATA;
    }
}
