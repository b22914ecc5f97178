package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * CenterCropPad(input, shape): crops or zero-pads each listed axis (attribute axes, default
 * all) to the target size around the centre; an odd difference puts the extra element at the
 * end.
 */
final class CenterCropPad extends IndexMapOp {
    private final long[] axesAttr;

    CenterCropPad(Attributes a) {
        super("CenterCropPad", a);
        axesAttr = a.getInts("axes", null);
    }

    private int[] target(Shape in, Tensor shape) {
        int[] out = in.dims();
        long[] t = Elems.longs(shape);
        int n = axesAttr == null ? in.rank() : axesAttr.length;
        if (t.length != n) {
            throw shapeError("shape has " + t.length + " values for " + n + " axes");
        }
        for (int i = 0; i < n; i++) {
            if (t[i] < 0 || t[i] > Integer.MAX_VALUE) {
                throw shapeError("target size " + t[i] + " is negative or larger than " + Integer.MAX_VALUE);
            }
            out[axesAttr == null ? i : axis(axesAttr[i], in.rank())] = (int) t[i];
        }
        return out;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor s = constant(constants, 1);
        if (s == null) {
            int[] d = new int[x.shape().rank()];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            return List.of(new TensorType(x.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(x.dtype(), Shape.of(target(x.shape(), s))));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        int[] out = target(in, inputs[1]);
        return axisPlan(out, in.strides(), (d, c) -> {
            int n = in.dim(d);
            int src = c + (out[d] <= n ? (n - out[d]) / 2 : -((out[d] - n) / 2));
            return src >= 0 && src < n ? src : -1;
        });
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
