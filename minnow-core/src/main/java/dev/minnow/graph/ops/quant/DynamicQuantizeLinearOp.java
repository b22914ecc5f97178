package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX DynamicQuantizeLinear (opset 11): uint8 quantization with a scale and zero point computed
 * from the data, the range widened to include 0: y_scale = (max(x, 0) - min(x, 0)) / 255,
 * y_zero_point = saturate(round(0 - min / y_scale)), y = saturate(round(x / y_scale) + zero point).
 * An all-zero input gives scale 0, zero point 0 and y = 0.
 */
public final class DynamicQuantizeLinearOp extends NnOp {
    public DynamicQuantizeLinearOp(Attributes attrs) {
        super("DynamicQuantizeLinear", attrs);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "x");
        requireFloating(x, "x");
        return List.of(new TensorType(DType.UINT8, x.shape()), new TensorType(DType.FLOAT32, Shape.scalar()),
                new TensorType(DType.UINT8, Shape.scalar()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        float[] xv = f32(x);
        float lo = 0;
        float hi = 0;
        for (float v : xv) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float scale = (hi - lo) / 255f;
        long zp = scale == 0 ? 0 : Quant.quantize(-lo / scale, 0, DType.UINT8);
        long[] q = new long[xv.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = scale == 0 ? zp : Quant.quantize(xv[i] / scale, zp, DType.UINT8);
        }
        return new Tensor[] {Quant.tensor(DType.UINT8, x.shape(), q), Tensor.scalar(scale),
                Quant.tensor(DType.UINT8, Shape.scalar(), new long[] {zp})};
    }
}
