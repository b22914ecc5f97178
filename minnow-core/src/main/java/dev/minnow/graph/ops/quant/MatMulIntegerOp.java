package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.MatMulOp;
import dev.minnow.kernels.IntGemm;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX MatMulInteger (opset 10): int32 Y = (A - a_zero_point) x (B - b_zero_point) with MatMul's
 * numpy batching, exact; a_zero_point per tensor or per row [M], b_zero_point per tensor or per
 * column [N]. MACs as MatMul.
 */
public final class MatMulIntegerOp extends NnOp {
    private final MatMulOp matmul;

    public MatMulIntegerOp(Attributes attrs) {
        super("MatMulInteger", attrs);
        this.matmul = new MatMulOp(type, this.attrs);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "A");
        TensorType b = required(in, 1, "B");
        ConvIntegerOp.requireInteger(type, a, "A");
        ConvIntegerOp.requireInteger(type, b, "B");
        return List.of(new TensorType(DType.INT32, Shape.of(matmul.plan(a.shape(), b.shape()).outDims())));
    }

    /** A with its per-tensor or per-row zero point removed ([batch, M, K] rows). */
    private static int[] shiftRows(Tensor a, Tensor zp, int m, int k, String op) {
        int[] v = Quant.ints(a);
        int[] z = Quant.zeroPoints(zp);
        if (z.length != 1 && z.length != m) {
            throw new ShapeException(op + ": a_zero_point must have 1 or " + m + " values, got " + zp.shape());
        }
        for (int i = 0; i < v.length; i++) {
            v[i] -= z.length == 1 ? z[0] : z[(i / k) % m];
        }
        return v;
    }

    /** B with its per-tensor or per-column zero point removed ([batch, K, N]). */
    private static int[] shiftColumns(Tensor b, Tensor zp, int n, String op) {
        int[] v = Quant.ints(b);
        int[] z = Quant.zeroPoints(zp);
        if (z.length != 1 && z.length != n) {
            throw new ShapeException(op + ": b_zero_point must have 1 or " + n + " values, got " + zp.shape());
        }
        for (int i = 0; i < v.length; i++) {
            v[i] -= z.length == 1 ? z[0] : z[i % n];
        }
        return v;
    }

    /** Exact batched product of zero-point-free operands; the result in MatMul's output layout. */
    static int[] multiply(MatMulOp.Plan p, Tensor a, Tensor aZp, Tensor b, Tensor bZp, String op) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        int[] av = shiftRows(a, aZp, m, k, op);
        int[] bv = shiftColumns(b, bZp, n, op);
        int batches = p.batchCount();
        int[] y = new int[batches * m * n];
        for (int i = 0; i < batches; i++) {
            IntGemm.gemm(m, n, k, av, p.offset(i, p.aBatch(), m * k), bv, p.offset(i, p.bBatch(), k * n), y, i * m * n);
        }
        return y;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        MatMulOp.Plan p = matmul.plan(inputs[0].shape(), inputs[1].shape());
        int[] y = multiply(p, inputs[0], opt(inputs, 2), inputs[1], opt(inputs, 3), type);
        return new Tensor[] {Tensor.ofInts(Shape.of(p.outDims()), y)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return matmul.macs(in, out);
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 2, 3 -> InputRole.QUANT_PARAM;
            default -> InputRole.DATA;
        };
    }
}
