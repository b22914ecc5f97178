package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.MatMulOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX QLinearMatMul (opset 21): inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point,
 * y_scale, y_zero_point. The integer product is exact; y = saturate(round_half_even(acc *
 * m[row][col]) + y_zero_point[col]) with the float32 multiplier m = a_scale[row] * b_scale[col] /
 * y_scale[col] and a float32 product, as ONNX Runtime requantizes; a's parameters per tensor
 * or per row, b's and y's per tensor or per column. The output type is y_zero_point's. MACs as MatMul.
 */
public final class QLinearMatMulOp extends NnOp {
    private final MatMulOp matmul;

    public QLinearMatMulOp(Attributes attrs) {
        super("QLinearMatMul", attrs);
        this.matmul = new MatMulOp(type, this.attrs);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "a");
        TensorType b = required(in, 3, "b");
        required(in, 1, "a_scale");
        required(in, 4, "b_scale");
        required(in, 6, "y_scale");
        ConvIntegerOp.requireInteger(type, a, "a");
        ConvIntegerOp.requireInteger(type, b, "b");
        TensorType yzp = opt(in, 7);
        return List.of(new TensorType(yzp != null ? yzp.dtype() : a.dtype(),
                Shape.of(matmul.plan(a.shape(), b.shape()).outDims())));
    }

    private float[] param(Tensor t, int allowed, String what) {
        float[] v = f32(t);
        if (v.length != 1 && v.length != allowed) {
            throw new ShapeException(type + ": " + what + " must have 1 or " + allowed + " values, got " + t.shape());
        }
        return v;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        MatMulOp.Plan p = matmul.plan(inputs[0].shape(), inputs[3].shape());
        return forward(inputs, MatMulIntegerOp.prepareB(inputs[3], opt(inputs, 5), p.k(), p.n(),
                inputs[0].dtype() == DType.UINT8, type));
    }

    /** Forward with b prepared from inputs[3] and inputs[5] (the inference kernel prepares constant b once). */
    public Tensor[] forward(Tensor[] inputs, MatMulIntegerOp.PreparedB pb) {
        Tensor a = inputs[0];
        Tensor yzp = opt(inputs, 7);
        DType outType = yzp != null ? yzp.dtype() : a.dtype();
        MatMulOp.Plan p = matmul.plan(a.shape(), inputs[3].shape());
        int[] acc = MatMulIntegerOp.multiply(p, a, opt(inputs, 2), pb, type);
        int m = p.m();
        int n = p.n();
        float[] as = param(inputs[1], m, "a_scale");
        float[] bs = param(inputs[4], n, "b_scale");
        float[] ys = param(inputs[6], n, "y_scale");
        int[] zp = Quant.zeroPoints(yzp);
        if (zp.length != 1 && zp.length != n) {
            throw new ShapeException(type + ": y_zero_point must have 1 or " + n + " values, got " + yzp.shape());
        }
        // float32 multipliers a_scale * b_scale / y_scale and float32 products, as ONNX Runtime requantizes
        float[] mult = new float[m * n];
        for (int row = 0; row < m; row++) {
            for (int col = 0; col < n; col++) {
                mult[row * n + col] = as[as.length == 1 ? 0 : row] * bs[bs.length == 1 ? 0 : col]
                        / ys[ys.length == 1 ? 0 : col];
            }
        }
        long lo = Quant.min(outType);
        long hi = Quant.max(outType);
        long[] q = new long[acc.length];
        for (int i = 0; i < q.length; i++) {
            int col = i % n;
            float v = (float) acc[i] * mult[i % (m * n)];
            q[i] = (long) Math.max(lo, Math.min(hi, Math.rint(v) + zp[zp.length == 1 ? 0 : col]));
        }
        return new Tensor[] {Quant.tensor(outType, Shape.of(p.outDims()), q)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return matmul.macs(List.of(in.get(0), in.get(3)), out);
    }

    // input roles: a and b carry values (b resolves to a weight when constant); the rest are scales and zero points
    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 0 -> InputRole.DATA;
            case 3 -> InputRole.DATA;
            default -> InputRole.QUANT_PARAM;
        };
    }
}
