package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * CumSum and CumProd(x, axis): running sum or product along axis; exclusive=1 leaves out the
 * element itself, reverse=1 runs from the end. CumSum's adjoint is the same sum run the other
 * way, which is its backward pass. CumProd's backward multiplies prefix products by a suffix
 * recurrence (no division, so zeros are exact). MACs: 0 (a running sum or product, docs/COST.md).
 */
final class CumSum extends AbstractOp {
    private final boolean exclusive;
    private final boolean reverse;
    private final boolean product;

    CumSum(String type, Attributes a) {
        super(type, a);
        product = type.equals("CumProd");
        exclusive = a.getInt("exclusive", 0) != 0;
        reverse = a.getInt("reverse", 0) != 0;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        required(inputs, 1);
        return List.of(required(inputs, 0));
    }

    /** Cumulative sum of v (shape dims) along ax, in the given direction. */
    private static double[] scan(double[] v, int[] dims, int ax, boolean exclusive, boolean reverse, boolean product) {
        int outer = ReshapeLike.product(dims, 0, ax);
        int inner = ReshapeLike.product(dims, ax + 1, dims.length);
        int n = dims[ax];
        double[] r = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = product ? 1 : 0;
                for (int s = 0; s < n; s++) {
                    int j = reverse ? n - 1 - s : s;
                    int p = (o * n + j) * inner + i;
                    if (exclusive) {
                        r[p] = acc;
                    }
                    acc = product ? acc * v[p] : acc + v[p];
                    if (!exclusive) {
                        r[p] = acc;
                    }
                }
            }
        }
        return r;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int ax = axis(inputs[1].getLong(0), x.shape().rank());
        double[] r = scan(Elems.doubles(x), x.shape().dims(), ax, exclusive, reverse, product);
        return new Tensor[] {Elems.fromDoubles(x.dtype(), x.shape(), r)};
    }

    /**
     * Gradient of CumProd along ax. In scan order q_0..q_{n-1} with output gradients g:
     * dq_s = (prod_{k<s} q_k) * S_s, where S_s = sum_{j>=s} g_j prod_{s<k<=j} q_k (inclusive) is
     * S_s = g_s + q_{s+1} S_{s+1}, and exclusive drops the j = s term: S_s = g_{s+1} + q_{s+1} S_{s+1}.
     */
    private static double[] productGrad(double[] v, double[] g, int[] dims, int ax, boolean exclusive, boolean reverse) {
        int outer = ReshapeLike.product(dims, 0, ax);
        int inner = ReshapeLike.product(dims, ax + 1, dims.length);
        int n = dims[ax];
        double[] r = new double[v.length];
        int[] at = new int[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int s = 0; s < n; s++) {
                    at[s] = (o * n + (reverse ? n - 1 - s : s)) * inner + i;
                }
                double suffix = 0;
                for (int s = n - 1; s >= 0; s--) {
                    if (s + 1 < n) {
                        suffix *= v[at[s + 1]];
                        if (exclusive) {
                            suffix += g[at[s + 1]];
                        }
                    }
                    if (!exclusive) {
                        suffix += g[at[s]];
                    }
                    r[at[s]] = suffix;
                }
                double prefix = 1;
                for (int s = 0; s < n; s++) {
                    r[at[s]] *= prefix;
                    prefix *= v[at[s]];
                }
            }
        }
        return r;
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (gradOutputs[0] != null && x.dtype() == DType.FLOAT32) {
            int ax = axis(inputs[1].getLong(0), x.shape().rank());
            double[] g = product
                    ? productGrad(Elems.doubles(x), Elems.doubles(gradOutputs[0]), x.shape().dims(), ax, exclusive, reverse)
                    : scan(Elems.doubles(gradOutputs[0]), x.shape().dims(), ax, exclusive, !reverse, false);
            r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), g);
        }
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
