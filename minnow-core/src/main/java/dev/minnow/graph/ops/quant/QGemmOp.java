package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.MatMulOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Runtime's contrib QGemm (com.microsoft): inputs A, a_scale, a_zero_point, B, b_scale,
 * b_zero_point (per tensor or per output column), optional C (int32, scale a_scale * b_scale,
 * broadcast to [M, N]), optional y_scale, y_zero_point; attributes alpha, transA, transB. The
 * integer product plus C is exact (int32); with y_scale the output is requantized with the float32
 * multiplier alpha * a_scale * b_scale[n] / y_scale as ONNX Runtime does (type of y_zero_point,
 * else of A), without it the output is float32 acc * alpha * a_scale * b_scale[n]. The inference
 * executor runs DequantizeLinear x2 [+ int32 bias] -> Gemm -> QuantizeLinear as this op.
 */
public final class QGemmOp extends NnOp {
    private final boolean transA;
    private final boolean transB;
    private final float alpha;

    public QGemmOp(Attributes attrs) {
        super("QGemm", attrs);
        this.transA = this.attrs.getInt("transA", 0) != 0;
        this.transB = this.attrs.getInt("transB", 0) != 0;
        this.alpha = (float) this.attrs.getFloat("alpha", 1.0);
    }

    private int[] mnk(Shape a, Shape b) {
        if (a.rank() != 2 || b.rank() != 2) {
            throw new ShapeException(type + ": A and B must be 2-D, got " + a + " and " + b);
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new ShapeException(type + ": inner dimensions differ: A " + a + " and B " + b
                    + (transA ? " (transA)" : "") + (transB ? " (transB)" : ""));
        }
        return new int[] {m, n, k};
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "A");
        TensorType b = required(in, 3, "B");
        required(in, 1, "a_scale");
        required(in, 4, "b_scale");
        ConvIntegerOp.requireInteger(type, a, "A");
        ConvIntegerOp.requireInteger(type, b, "B");
        int[] mnk = mnk(a.shape(), b.shape());
        TensorType ys = opt(in, 7);
        TensorType yzp = opt(in, 8);
        DType out = ys == null ? DType.FLOAT32 : yzp != null ? yzp.dtype() : a.dtype();
        return List.of(new TensorType(out, Shape.of(mnk[0], mnk[1])));
    }

    /** 2-D codes transposed ([r, c] -> [c, r]), same type. */
    private static Tensor transposed(Tensor t) {
        int r = t.shape().dim(0);
        int c = t.shape().dim(1);
        byte[] src = t.bytes();
        byte[] dst = new byte[src.length];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                dst[j * r + i] = src[i * c + j];
            }
        }
        return Tensor.wrap(t.dtype(), Shape.of(c, r), dst);
    }

    /** B (with transB applied) prepared for {@link #forward(Tensor[], MatMulIntegerOp.PreparedB)}. */
    public MatMulIntegerOp.PreparedB prepare(Tensor b, Tensor zeroPoint, boolean aUnsigned) {
        Tensor kn = transB ? transposed(b) : b;
        return MatMulIntegerOp.prepareB(kn, zeroPoint, kn.shape().dim(0), kn.shape().dim(1), aUnsigned, type);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return forward(inputs, prepare(inputs[3], opt(inputs, 5), inputs[0].dtype() == DType.UINT8));
    }

    public Tensor[] forward(Tensor[] inputs, MatMulIntegerOp.PreparedB pb) {
        Tensor a = transA ? transposed(inputs[0]) : inputs[0];
        int[] mnk = mnk(inputs[0].shape(), inputs[3].shape());
        int m = mnk[0];
        int n = mnk[1];
        MatMulOp.Plan p = new MatMulOp(type, new Attributes()).plan(a.shape(), Shape.of(mnk[2], n));
        int[] acc = MatMulIntegerOp.multiply(p, a, opt(inputs, 2), pb, type);
        Tensor c = opt(inputs, 6);
        if (c != null) {
            int[] cv = Quant.ints(c);
            Shape cs = c.shape();
            int[] idx = cs.equals(Shape.of(m, n)) ? null : QBroadcast.map(cs, Shape.of(m, n));
            if (!QBroadcast.shape(type, cs, Shape.of(m, n)).equals(Shape.of(m, n))) {
                throw new ShapeException(type + ": C " + cs + " does not broadcast to [" + m + ", " + n + "]");
            }
            for (int i = 0; i < acc.length; i++) {
                acc[i] += cv[idx == null ? i : idx[i]];
            }
        }
        float as = f32(inputs[1])[0];
        float[] bs = f32(inputs[4]);
        if (bs.length != 1 && bs.length != n) {
            throw new ShapeException(type + ": b_scale must have 1 or " + n + " values, got " + inputs[4].shape());
        }
        Tensor ysT = opt(inputs, 7);
        if (ysT == null) {
            float[] y = new float[acc.length];
            for (int i = 0; i < y.length; i++) {
                y[i] = acc[i] * (alpha * as * bs[bs.length == 1 ? 0 : i % n]);
            }
            return new Tensor[] {Tensor.of(Shape.of(m, n), y)};
        }
        float ys = f32(ysT)[0];
        Tensor yzp = opt(inputs, 8);
        DType outType = yzp != null ? yzp.dtype() : inputs[0].dtype();
        long zp = Quant.zeroPoints(yzp)[0];
        long lo = Quant.min(outType);
        long hi = Quant.max(outType);
        long[] q = new long[acc.length];
        for (int i = 0; i < q.length; i++) {
            float mult = alpha * as * bs[bs.length == 1 ? 0 : i % n] / ys; // float32 steps, as ONNX Runtime
            q[i] = (long) Math.max(lo, Math.min(hi, Math.rint((float) acc[i] * mult) + zp));
        }
        return new Tensor[] {Quant.tensor(outType, Shape.of(m, n), q)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        TensorType a = in.get(0);
        TensorType b = in.get(3);
        if (a == null || b == null || !a.shape().isStatic() || !b.shape().isStatic()) {
            return 0;
        }
        int[] mnk = mnk(a.shape(), b.shape());
        return (long) mnk[0] * mnk[1] * mnk[2];
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 0 -> InputRole.DATA;
            case 3 -> InputRole.WEIGHT;
            case 6 -> InputRole.BIAS;
            default -> InputRole.QUANT_PARAM;
        };
    }

    @Override
    public String domain() {
        return OpRegistry.MICROSOFT_DOMAIN;
    }
}
