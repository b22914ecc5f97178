package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Compress(input, condition): keeps the slices along axis whose condition is true (entries
 * past the condition's length are dropped); without axis the input is flattened first. The
 * output size depends on the data, so inference leaves that dim unknown.
 */
final class Compress extends IndexMapOp {
    private final Long axisAttr;

    Compress(Attributes a) {
        super("Compress", a);
        axisAttr = a.has("axis") ? a.getInt("axis", 0) : null;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        if (axisAttr == null) {
            return List.of(new TensorType(x.dtype(), Shape.of(Shape.UNKNOWN)));
        }
        return List.of(new TensorType(x.dtype(), x.shape().withDim(axis(axisAttr, x.shape().rank()), Shape.UNKNOWN)));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape s = inputs[0].shape();
        double[] cond = Elems.doubles(inputs[1]);
        int[] d = axisAttr == null ? new int[] {s.sizeInt()} : s.dims();
        int ax = axisAttr == null ? 0 : axis(axisAttr, s.rank());
        int[][] tables = new int[d.length][];
        int[] out = d.clone();
        for (int a = 0; a < d.length; a++) {
            if (a != ax) {
                tables[a] = identity(d[a]);
                continue;
            }
            int[] keep = new int[d[a]];
            int n = 0;
            for (int c = 0; c < Math.min(cond.length, d[a]); c++) {
                if (cond[c] != 0) {
                    keep[n++] = c;
                }
            }
            tables[a] = java.util.Arrays.copyOf(keep, n);
            out[a] = n;
        }
        return new Plan(Shape.of(out), axisMap(out, tables, Shape.of(d).strides()));
    }
}
