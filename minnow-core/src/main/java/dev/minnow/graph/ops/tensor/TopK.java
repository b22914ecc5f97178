package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * TopK(X, K) along axis (default -1): the K largest (largest=1) or smallest values and their
 * int64 indices, sorted; equal values keep the lower index first. K is input 1 from opset 10,
 * the attribute k before. The values' gradient flows back to the selected positions.
 * MACs: 0.
 */
final class TopK extends AbstractOp {
    private final long axisAttr;
    private final boolean largest;
    private final long attrK;

    TopK(Attributes a) {
        super("TopK", a);
        axisAttr = a.getInt("axis", -1);
        largest = a.getInt("largest", 1) != 0;
        attrK = a.getInt("k", -1);
    }

    private long k(Tensor kInput) {
        return opset < 10 ? attrK : kInput == null ? -1 : kInput.getLong(0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        int ax = axis(axisAttr, x.shape().rank());
        long k = k(constant(constants, 1));
        Shape s = x.shape().withDim(ax, (int) k);
        return List.of(new TensorType(x.dtype(), s), new TensorType(DType.INT64, s));
    }

    /** For every output element, the flat input index it takes. */
    private int[] select(Tensor x, int k) {
        int[] d = x.shape().dims();
        int ax = axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int n = d[ax];
        if (k < 0 || k > n) {
            throw shapeError("k = " + k + " is out of range for an axis of size " + n);
        }
        double[] v = Elems.doubles(x);
        int[] map = new int[outer * k * inner];
        Integer[] order = new Integer[n];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                for (int j = 0; j < n; j++) {
                    order[j] = j;
                }
                java.util.Arrays.sort(order, (p, q) -> {
                    int c = Double.compare(v[base + p * inner], v[base + q * inner]);
                    return c != 0 ? (largest ? -c : c) : Integer.compare(p, q);
                });
                for (int j = 0; j < k; j++) {
                    map[(o * k + j) * inner + i] = base + order[j] * inner;
                }
            }
        }
        return map;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int ax = axis(axisAttr, x.shape().rank());
        int k = (int) k(input(inputs, 1));
        int[] map = select(x, k);
        Shape s = x.shape().withDim(ax, k);
        int inner = ReshapeLike.product(x.shape().dims(), ax + 1, x.shape().rank());
        long[] idx = new long[map.length];
        for (int i = 0; i < map.length; i++) {
            idx[i] = (map[i] / inner) % x.shape().dim(ax);
        }
        return new Tensor[] {Elems.gather(x, map, s, 0), Tensor.wrap(DType.INT64, s, idx)};
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
            int[] map = select(x, outputs[0].shape().dim(axis(axisAttr, x.shape().rank())));
            r[0] = Elems.f32(x.shape(), Elems.scatterAdd(gradOutputs[0].floats(), map, x.size()));
        }
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
