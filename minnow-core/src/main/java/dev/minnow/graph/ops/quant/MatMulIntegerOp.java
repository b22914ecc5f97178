package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.MatMulOp;
import dev.minnow.kernels.Int8Gemm;
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

    /**
     * B's codes ready for the exact float GEMM: each distinct [K, N] matrix of B as floats, its column
     * sums, and its zero points (1 or N). uint8 B meeting uint8 A is moved to int8 (b - 128, zero
     * points alike) so that every product fits in a short. Made once per constant B by the
     * inference kernels, per call otherwise.
     */
    public record PreparedB(Tensor b, Tensor zeroPoint, boolean forUnsignedA,
                            int[] colSums, int[] zeroPoints, float[] codesAsFloats) {
    }

    public static PreparedB prepareB(Tensor b, Tensor zp, int k, int n, boolean aUnsigned, String op) {
        ConvIntegerOp.requireInteger(op, new dev.minnow.graph.TensorType(b.dtype(), b.shape()), "B");
        boolean bU = b.dtype() == DType.UINT8;
        int shift = aUnsigned && bU ? 128 : 0;
        int[] z = Quant.zeroPoints(zp);
        if (z.length != 1 && z.length != n) {
            throw new ShapeException(op + ": b_zero_point must have 1 or " + n + " values, got " + zp.shape());
        }
        int[] zeroPoints = new int[z.length];
        for (int j = 0; j < z.length; j++) {
            zeroPoints[j] = z[j] - shift;
        }
        byte[] raw = b.bytes();
        byte[] codes = raw;
        if (shift != 0) {
            codes = new byte[raw.length];
            for (int i = 0; i < raw.length; i++) {
                codes[i] = (byte) ((raw[i] & 0xff) - shift);
            }
        }
        boolean unsigned = bU && shift == 0;
        int count = k * n == 0 ? 0 : raw.length / (k * n);
        int[] colSums = new int[count * n];
        for (int i = 0; i < count; i++) {
            for (int r = 0; r < k; r++) {
                int row = i * k * n + r * n;
                for (int j = 0; j < n; j++) {
                    colSums[i * n + j] += unsigned ? codes[row + j] & 0xff : codes[row + j];
                }
            }
        }
        float[] asFloats = new float[count * k * n];
        for (int i = 0; i < asFloats.length; i++) {
            asFloats[i] = unsigned ? codes[i] & 0xff : codes[i];
        }
        return new PreparedB(b, zp, aUnsigned, colSums, zeroPoints, asFloats);
    }

    /**
     * y[yOff..] = A (m x k codes) times B (k x n codes as floats, from bOff) on the float GEMM: one
     * operand is int8 and the other at most 8 bits unsigned, so each product is at most 32,640 and
     * sums of up to {@link dev.minnow.kernels.Int8Conv2d#EXACT_FLOAT_TERMS} terms are exact in
     * float32 (below 2^24); longer sums go in chunks added in int32. Bit-identical to
     * {@link Int8Gemm}, and about four times faster here (docs/BENCHMARKS.md).
     */
    private static void exactFloatGemm(int m, int n, int k, byte[] a, int aOff, boolean aUnsigned, float[] b, int bOff,
                                       int[] y, int yOff) {
        float[] af = new float[m * k];
        for (int i = 0; i < af.length; i++) {
            af[i] = aUnsigned ? a[aOff + i] & 0xff : a[aOff + i];
        }
        float[] c = new float[m * n];
        int chunk = dev.minnow.kernels.Int8Conv2d.EXACT_FLOAT_TERMS;
        for (int k0 = 0; k0 < k; k0 += chunk) {
            int kk = Math.min(chunk, k - k0);
            dev.minnow.kernels.Gemm.sgemm(false, false, m, n, kk, 1f, af, k0, k, b, bOff + k0 * n, n, 0f, c, 0, n);
            for (int i = 0; i < c.length; i++) {
                int v = (int) c[i];
                y[yOff + i] = k0 == 0 ? v : y[yOff + i] + v;
            }
        }
    }

    /**
     * Exact batched product (A - a_zero_point)(B - b_zero_point) in MatMul's output layout: the
     * codes multiplied exactly (see exactFloatGemm), then sum (a - za)(b - zb) = sum ab - zb sum a - za
     * sum b + K za zb with A's row sums and B's column sums.
     */
    static int[] multiply(MatMulOp.Plan p, Tensor a, Tensor aZp, PreparedB pb, String op) {
        int m = p.m();
        int n = p.n();
        int k = p.k();
        ConvIntegerOp.requireInteger(op, new dev.minnow.graph.TensorType(a.dtype(), a.shape()), "A");
        boolean aU = a.dtype() == DType.UINT8;
        int[] za = Quant.zeroPoints(aZp);
        if (za.length != 1 && za.length != m) {
            throw new ShapeException(op + ": a_zero_point must have 1 or " + m + " values, got " + aZp.shape());
        }
        int[] zb = pb.zeroPoints();
        byte[] av = a.bytes();
        int batches = p.batchCount();
        int[] y = new int[batches * m * n];
        int[] rowSums = new int[m];
        for (int i = 0; i < batches; i++) {
            int aOff = p.offset(i, p.aBatch(), m * k);
            int bIdx = k * n == 0 ? 0 : p.offset(i, p.bBatch(), k * n) / (k * n);
            int yOff = i * m * n;
            if (k > 0 && n > 0) {
                exactFloatGemm(m, n, k, av, aOff, aU, pb.codesAsFloats(), bIdx * k * n, y, yOff);
            }
            for (int r = 0; r < m; r++) {
                int s = 0;
                for (int c = aOff + r * k; c < aOff + (r + 1) * k; c++) {
                    s += aU ? av[c] & 0xff : av[c];
                }
                rowSums[r] = s;
            }
            for (int r = 0; r < m; r++) {
                int zr = za[za.length == 1 ? 0 : r];
                for (int j = 0; j < n; j++) {
                    int zc = zb[zb.length == 1 ? 0 : j];
                    int colSum = k == 0 ? 0 : pb.colSums()[bIdx * n + j];
                    y[yOff + r * n + j] += -zc * rowSums[r] - zr * colSum + k * zr * zc;
                }
            }
        }
        return y;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        MatMulOp.Plan p = matmul.plan(inputs[0].shape(), inputs[1].shape());
        PreparedB pb = prepareB(inputs[1], opt(inputs, 3), p.k(), p.n(), inputs[0].dtype() == DType.UINT8, type);
        int[] y = multiply(p, inputs[0], opt(inputs, 2), pb, type);
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
