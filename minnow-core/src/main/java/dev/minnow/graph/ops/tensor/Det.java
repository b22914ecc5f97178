package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Det(X [..., M, M]): determinants by Gaussian elimination with partial pivoting, in double.
 * Backward: d det / d X[i][j] is the cofactor (-1)^(i+j) det(minor ij), exact also for singular
 * matrices (O(M^5) per matrix: meant for the small matrices models use).
 */
final class Det extends AbstractOp {
    Det(Attributes a) {
        super("Det", a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Shape s = x.shape();
        if (s.rank() < 2 || s.dim(-1) != s.dim(-2) && s.dim(-1) >= 0 && s.dim(-2) >= 0) {
            throw shapeError("input must be [..., M, M], got " + s);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(java.util.Arrays.copyOf(s.dims(), s.rank() - 2))));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Shape out = inferTypes(List.of(new TensorType(x.dtype(), x.shape())), null).get(0).shape();
        int m = x.shape().dim(-1);
        double[] v = Elems.doubles(x);
        double[] r = new double[out.sizeInt()];
        for (int b = 0; b < r.length; b++) {
            r[b] = det(v, b * m * m, m);
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), out, r)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        if (gradOutputs[0] == null || x.dtype() != DType.FLOAT32) {
            return new Tensor[1];
        }
        int m = x.shape().dim(-1);
        double[] v = Elems.doubles(x);
        double[] g = Elems.doubles(gradOutputs[0]);
        double[] dx = new double[v.length];
        double[] minor = new double[(m - 1) * (m - 1)];
        for (int b = 0; b < g.length; b++) {
            int off = b * m * m;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    int t = 0;
                    for (int r = 0; r < m; r++) {
                        for (int c = 0; c < m; c++) {
                            if (r != i && c != j) {
                                minor[t++] = v[off + r * m + c];
                            }
                        }
                    }
                    double cofactor = ((i + j) % 2 == 0 ? 1 : -1) * det(minor, 0, m - 1);
                    dx[off + i * m + j] = g[b] * cofactor;
                }
            }
        }
        return new Tensor[] {Elems.fromDoubles(DType.FLOAT32, x.shape(), dx)};
    }

    private static double det(double[] v, int off, int m) {
        double[] a = java.util.Arrays.copyOfRange(v, off, off + m * m);
        double d = 1;
        for (int c = 0; c < m; c++) {
            int p = c;
            for (int r = c + 1; r < m; r++) {
                if (Math.abs(a[r * m + c]) > Math.abs(a[p * m + c])) {
                    p = r;
                }
            }
            if (a[p * m + c] == 0) {
                return 0;
            }
            if (p != c) {
                for (int k = 0; k < m; k++) {
                    double t = a[c * m + k];
                    a[c * m + k] = a[p * m + k];
                    a[p * m + k] = t;
                }
                d = -d;
            }
            d *= a[c * m + c];
            for (int r = c + 1; r < m; r++) {
                double f = a[r * m + c] / a[c * m + c];
                for (int k = c; k < m; k++) {
                    a[r * m + k] -= f * a[c * m + k];
                }
            }
        }
        return d;
    }
}
