package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Gemm (opset 13): Y = alpha * A' * B' + beta * C with A' = transA ? A^T : A (M x K),
 * B' = transB ? B^T : B (K x N), and optional C broadcast one way to [M, N] (scalar, [N],
 * [1, N], [M, 1] or [M, N]). MACs = M * N * K.
 */
public final class GemmOp extends NnOp {
    private final float alpha;
    private final float beta;
    private final boolean transA;
    private final boolean transB;

    public GemmOp(Attributes attrs) {
        super("Gemm", attrs);
        this.alpha = (float) this.attrs.getFloat("alpha", 1.0);
        this.beta = (float) this.attrs.getFloat("beta", 1.0);
        this.transA = flag("transA");
        this.transB = flag("transB");
    }

    private boolean flag(String name) {
        long v = attrs.getInt(name, 0);
        if (v != 0 && v != 1) {
            throw unsupported(name, v, "0 or 1");
        }
        return v == 1;
    }

    /** {M, N, K} from the shapes of A and B (entries may be -1 when unknown). */
    private int[] mnk(Shape a, Shape b) {
        if (a.rank() != 2 || b.rank() != 2) {
            throw new ShapeException(type + ": A " + a + " and B " + b + " must be matrices");
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int ka = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (ka >= 0 && kb >= 0 && ka != kb) {
            throw new ShapeException(type + ": inner dimensions differ: A " + a + (transA ? " (transposed)" : "")
                    + " and B " + b + (transB ? " (transposed)" : ""));
        }
        return new int[] {m, n, ka >= 0 ? ka : kb};
    }

    private void checkC(Shape c, int m, int n) {
        boolean ok = c.rank() <= 2;
        if (ok && c.rank() >= 1) {
            int cn = c.dim(-1);
            ok = cn == 1 || cn == n || cn < 0 || n < 0;
        }
        if (ok && c.rank() == 2) {
            int cm = c.dim(0);
            ok = cm == 1 || cm == m || cm < 0 || m < 0;
        }
        if (!ok) {
            throw new ShapeException(type + ": C " + c + " cannot be broadcast to [" + m + ", " + n + "]");
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType a = required(in, 0, "A");
        TensorType b = required(in, 1, "B");
        requireFloating(a, "A");
        int[] mnk = mnk(a.shape(), b.shape());
        TensorType c = opt(in, 2);
        if (c != null) {
            checkC(c.shape(), mnk[0], mnk[1]);
        }
        return List.of(new TensorType(a.dtype(), Shape.of(mnk[0], mnk[1])));
    }

    /** Index into C (of shape cs) for element (i, j) of the [M, N] result. */
    private static int cIndex(Shape cs, int i, int j) {
        int rows = cs.rank() == 2 ? cs.dim(0) : 1;
        int cols = cs.rank() >= 1 ? cs.dim(-1) : 1;
        return (rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor c = opt(inputs, 2);
        int[] mnk = mnk(a.shape(), b.shape());
        int m = mnk[0];
        int n = mnk[1];
        int k = mnk[2];
        float[] y = new float[m * n];
        if (c != null && beta != 0) {
            checkC(c.shape(), m, n);
            float[] cv = f32(c);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    y[i * n + j] = cv[cIndex(c.shape(), i, j)];
                }
            }
        }
        Gemm.sgemm(transA, transB, m, n, k, alpha, f32(a), 0, a.shape().dim(1), f32(b), 0, b.shape().dim(1),
                c != null ? beta : 0, y, 0, n);
        return new Tensor[] {out(a.dtype(), Shape.of(m, n), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor c = opt(inputs, 2);
        int[] mnk = mnk(a.shape(), b.shape());
        int m = mnk[0];
        int n = mnk[1];
        int k = mnk[2];
        float[] av = f32(a);
        float[] bv = f32(b);
        float[] dy = f32(gradOutputs[0]);
        int lda = a.shape().dim(1);
        int ldb = b.shape().dim(1);
        float[] da = new float[av.length];
        float[] db = new float[bv.length];
        // dA' = alpha * dY * B'^T, dB' = alpha * A'^T * dY, stored transposed where A or B was
        if (!transA) {
            Gemm.sgemm(false, !transB, m, k, n, alpha, dy, 0, n, bv, 0, ldb, 0, da, 0, k);
        } else {
            Gemm.sgemm(transB, true, k, m, n, alpha, bv, 0, ldb, dy, 0, n, 0, da, 0, m);
        }
        if (!transB) {
            Gemm.sgemm(!transA, false, k, n, m, alpha, av, 0, lda, dy, 0, n, 0, db, 0, n);
        } else {
            Gemm.sgemm(true, transA, n, k, m, alpha, dy, 0, n, av, 0, lda, 0, db, 0, k);
        }
        float[] dc = null;
        if (c != null) {
            dc = new float[c.size()];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    dc[cIndex(c.shape(), i, j)] += beta * dy[i * n + j];
                }
            }
        }
        return gradients(inputs, da, db, dc);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        int[] mnk = mnk(in.get(0).shape(), in.get(1).shape());
        return mnk[0] < 0 || mnk[1] < 0 || mnk[2] < 0 ? 0 : (long) mnk[0] * mnk[1] * mnk[2];
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }
}
