package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX MatMul (opset 13), numpy semantics: A [..., M, K] x B [..., K, N] with the batch
 * dimensions broadcast; a 1-D A is [1, K] and a 1-D B is [K, 1], the added dimension
 * removed from the result. MACs = batch * M * N * K.
 */
public final class MatMulOp extends NnOp {
    public MatMulOp(Attributes attrs) {
        this("MatMul", attrs);
    }

    /** MatMul's shape rules under another op's name (the integer matrix products share them). */
    public MatMulOp(String type, Attributes attrs) {
        super(type, attrs);
    }

    /** The shapes of a product, every part as dims (batch dims broadcast). */
    public record Plan(int[] batch, int[] aBatch, int[] bBatch, int m, int n, int k, int[] outDims) {
        public int batchCount() {
            return prod(batch, 0, batch.length);
        }

        /** Offset of batch b's matrix in an operand with batch dims ob (broadcast from batch). */
        public int offset(int b, int[] ob, int matrixSize) {
            int off = 0;
            int stride = 1;
            int rem = b;
            for (int i = batch.length - 1, j = ob.length - 1; i >= 0; i--, j--) {
                int idx = rem % batch[i];
                rem /= batch[i];
                if (j >= 0) {
                    if (ob[j] != 1) {
                        off += idx * stride;
                    }
                    stride *= ob[j];
                }
            }
            return off * matrixSize;
        }
    }

    public Plan plan(Shape a, Shape b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new ShapeException(type + ": operands must have rank >= 1, got " + a + " and " + b);
        }
        int[] ad = a.rank() == 1 ? new int[] {1, a.dim(0)} : a.dims();
        int[] bd = b.rank() == 1 ? new int[] {b.dim(0), 1} : b.dims();
        int m = ad[ad.length - 2];
        int k = ad[ad.length - 1];
        int kb = bd[bd.length - 2];
        int n = bd[bd.length - 1];
        if (k >= 0 && kb >= 0 && k != kb) {
            throw new ShapeException(type + ": inner dimensions differ: " + a + " x " + b);
        }
        int[] aBatch = java.util.Arrays.copyOf(ad, ad.length - 2);
        int[] bBatch = java.util.Arrays.copyOf(bd, bd.length - 2);
        int r = Math.max(aBatch.length, bBatch.length);
        int[] batch = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - aBatch.length) >= 0 ? aBatch[i - (r - aBatch.length)] : 1;
            int y = i - (r - bBatch.length) >= 0 ? bBatch[i - (r - bBatch.length)] : 1;
            if (x == 1 || x == y) {
                batch[i] = y;
            } else if (y == 1) {
                batch[i] = x;
            } else if (x < 0 || y < 0) {
                batch[i] = Math.max(x, y);
            } else {
                throw new ShapeException(type + ": batch dimensions of " + a + " and " + b + " cannot be broadcast");
            }
        }
        int extra = (a.rank() == 1 ? 0 : 1) + (b.rank() == 1 ? 0 : 1);
        int[] out = java.util.Arrays.copyOf(batch, r + extra);
        int p = r;
        if (a.rank() != 1) {
            out[p++] = m;
        }
        if (b.rank() != 1) {
            out[p] = n;
        }
        return new Plan(batch, aBatch, bBatch, m, n, k >= 0 ? k : kb, out);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "A");
        TensorType b = required(in, 1, "B");
        requireFloating(a, "A");
        return List.of(new TensorType(a.dtype(), Shape.of(plan(a.shape(), b.shape()).outDims())));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Plan p = plan(a.shape(), b.shape());
        float[] av = f32(a);
        float[] bv = f32(b);
        int m = p.m();
        int n = p.n();
        int k = p.k();
        int batches = p.batchCount();
        float[] y = new float[batches * m * n];
        if (prod(p.bBatch(), 0, p.bBatch().length) == 1 && prod(p.aBatch(), 0, p.aBatch().length) == batches) {
            // B is shared by every batch: one GEMM over all rows of A
            Gemm.sgemm(false, false, batches * m, n, k, 1f, av, 0, k, bv, 0, n, 0f, y, 0, n);
        } else {
            for (int i = 0; i < batches; i++) {
                Gemm.sgemm(false, false, m, n, k, 1f, av, p.offset(i, p.aBatch(), m * k), k,
                        bv, p.offset(i, p.bBatch(), k * n), n, 0f, y, i * m * n, n);
            }
        }
        return new Tensor[] {out(a.dtype(), Shape.of(p.outDims()), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Plan p = plan(a.shape(), b.shape());
        float[] av = f32(a);
        float[] bv = f32(b);
        float[] dy = f32(gradOutputs[0]);
        int m = p.m();
        int n = p.n();
        int k = p.k();
        float[] da = new float[av.length];
        float[] db = new float[bv.length];
        for (int i = 0; i < p.batchCount(); i++) {
            int ao = p.offset(i, p.aBatch(), m * k);
            int bo = p.offset(i, p.bBatch(), k * n);
            int yo = i * m * n;
            // dA += dY * B^T, dB += A^T * dY (accumulating over broadcast batch dims)
            Gemm.sgemm(false, true, m, k, n, 1f, dy, yo, n, bv, bo, n, 1f, da, ao, k);
            Gemm.sgemm(true, false, k, n, m, 1f, av, ao, k, dy, yo, n, 1f, db, bo, n);
        }
        return gradients(inputs, da, db);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        if (elements(out.get(0)) == 0) {
            return 0;
        }
        Plan p = plan(in.get(0).shape(), in.get(1).shape());
        return (long) p.batchCount() * p.m() * p.n() * p.k();
    }
}
