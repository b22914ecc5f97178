package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Squeeze and Unsqueeze. Axes come from the attribute "axes" before opset 13 and from input 1
 * from opset 13 on. Squeeze without axes drops every dim of size 1; Unsqueeze's axes refer
 * to the output rank. During shape inference the axes must be a constant (an initializer).
 */
final class Squeeze extends ReshapeLike {
    private final boolean unsqueeze;
    private final long[] attrAxes;

    Squeeze(String type, Attributes a) {
        super(type, a);
        unsqueeze = type.equals("Unsqueeze");
        attrAxes = a.getInts("axes", null);
    }

    @Override
    protected Shape outputShape(Shape in, List<TensorType> inputs, List<Tensor> constants) {
        long[] axes;
        if (opset < 13) {
            axes = attrAxes;
        } else {
            Tensor t = constant(constants, 1);
            boolean given = inputs.size() > 1 && inputs.get(1) != null;
            if (given && t == null) {
                int len = inputs.get(1).shape().rank() == 1 ? inputs.get(1).shape().dim(0) : Shape.UNKNOWN;
                if (!unsqueeze || len < 0) {
                    throw shapeError("the axes input must be a constant (an initializer) for shape inference");
                }
                int[] d = new int[in.rank() + len];
                java.util.Arrays.fill(d, Shape.UNKNOWN);
                return Shape.of(d);
            }
            axes = t == null ? null : Elems.longs(t);
        }
        int[] d = in.dims();
        if (unsqueeze) {
            if (axes == null) {
                throw shapeError("axes are required");
            }
            int rank = d.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) {
                int ax = axis(a, rank);
                if (inserted[ax]) {
                    throw shapeError("axis " + a + " is repeated");
                }
                inserted[ax] = true;
            }
            int[] out = new int[rank];
            int k = 0;
            for (int i = 0; i < rank; i++) {
                out[i] = inserted[i] ? 1 : d[k++];
            }
            return Shape.of(out);
        }
        boolean[] drop = new boolean[d.length];
        if (axes == null) {
            for (int i = 0; i < d.length; i++) {
                drop[i] = d[i] == 1;
            }
        } else {
            for (long a : axes) {
                int ax = axis(a, d.length);
                if (d[ax] != 1 && d[ax] != Shape.UNKNOWN) {
                    throw shapeError("cannot squeeze axis " + a + " of size " + d[ax] + " in " + in);
                }
                drop[ax] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < d.length; i++) {
            if (!drop[i]) {
                out.add(d[i]);
            }
        }
        return Shape.of(out.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
