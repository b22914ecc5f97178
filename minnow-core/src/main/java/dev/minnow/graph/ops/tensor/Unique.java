package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Unique(X): the distinct elements (no axis: X flattened) or distinct slices along axis,
 * sorted ascending (sorted=1, slices lexicographically) or in order of first occurrence.
 * Outputs Y, the first-occurrence indices, the inverse indices (X's element or slice to Y)
 * and the counts, all int64 but Y.
 */
final class Unique extends AbstractOp {
    private final Long axisAttr;
    private final boolean sorted;

    Unique(Attributes a) {
        super("Unique", a);
        axisAttr = a.has("axis") ? a.getInt("axis", 0) : null;
        sorted = a.getInt("sorted", 1) != 0;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Shape y = axisAttr == null ? Shape.of(Shape.UNKNOWN) : x.shape().withDim(axis(axisAttr, x.shape().rank()), Shape.UNKNOWN);
        TensorType idx = new TensorType(DType.INT64, Shape.of(Shape.UNKNOWN));
        int n = axisAttr == null ? (x.shape().isStatic() ? x.shape().sizeInt() : Shape.UNKNOWN)
                : x.shape().dim(axis(axisAttr, x.shape().rank()));
        return List.of(new TensorType(x.dtype(), y), idx, new TensorType(DType.INT64, Shape.of(n)), idx);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = axisAttr == null ? new int[] {x.size()} : x.shape().dims();
        int ax = axisAttr == null ? 0 : axis(axisAttr, d.length);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length);
        int n = d[ax];
        double[] v = Elems.doubles(x);
        double[][] slices = new double[n][outer * inner];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < outer; o++) {
                for (int k = 0; k < inner; k++) {
                    slices[i][o * inner + k] = v[(o * n + i) * inner + k];
                }
            }
        }
        List<Integer> firsts = new ArrayList<>();
        int[] inverseFirst = new int[n];
        for (int i = 0; i < n; i++) {
            int found = -1;
            for (int f : firsts) {
                if (Arrays.equals(slices[f], slices[i])) {
                    found = f;
                    break;
                }
            }
            if (found < 0) {
                firsts.add(i);
                found = i;
            }
            inverseFirst[i] = found;
        }
        if (sorted) {
            firsts.sort((p, q) -> Arrays.compare(slices[p], slices[q]));
        }
        int u = firsts.size();
        long[] indices = new long[u];
        long[] counts = new long[u];
        long[] inverse = new long[n];
        for (int j = 0; j < u; j++) {
            indices[j] = firsts.get(j);
        }
        for (int i = 0; i < n; i++) {
            int j = firsts.indexOf(inverseFirst[i]);
            inverse[i] = j;
            counts[j]++;
        }
        int[] out = d.clone();
        out[ax] = u;
        int[] map = new int[outer * u * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < u; j++) {
                for (int k = 0; k < inner; k++) {
                    map[(o * u + j) * inner + k] = (o * n + firsts.get(j)) * inner + k;
                }
            }
        }
        Tensor flat = x.reshape(Shape.of(d));
        return new Tensor[] {Elems.gather(flat, map, Shape.of(out), 0), Tensor.ofLongs(Shape.of(u), indices),
            Tensor.ofLongs(Shape.of(n), inverse), Tensor.ofLongs(Shape.of(u), counts)};
    }
}
