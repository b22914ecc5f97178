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
 * Slice(data, starts, ends, axes?, steps?) (opset 10+; before that starts, ends and axes are
 * attributes). Negative starts/ends count from the end; out-of-range values are clamped as in
 * numpy, with the ONNX rule for negative steps (start in [0, d-1], end in [-1, d-1]).
 */
final class Slice extends IndexMapOp {
    private final long[] attrStarts;
    private final long[] attrEnds;
    private final long[] attrAxes;

    Slice(Attributes a) {
        super("Slice", a);
        attrStarts = a.getInts("starts", null);
        attrEnds = a.getInts("ends", null);
        attrAxes = a.getInts("axes", null);
    }

    /** Per input axis: {start, step, count}; null when the parameters are not known. */
    private long[][] ranges(Shape in, Tensor starts, Tensor ends, Tensor axes, Tensor steps) {
        long[] st;
        long[] en;
        long[] ax;
        long[] sp = null;
        if (opset < 10) {
            st = attrStarts;
            en = attrEnds;
            ax = attrAxes;
        } else {
            if (starts == null || ends == null) {
                return null;
            }
            st = Elems.longs(starts);
            en = Elems.longs(ends);
            ax = axes == null ? null : Elems.longs(axes);
            sp = steps == null ? null : Elems.longs(steps);
        }
        if (st == null || en == null || st.length != en.length) {
            throw shapeError("starts and ends must be given with the same length");
        }
        int rank = in.rank();
        long[][] r = new long[rank][];
        for (int d = 0; d < rank; d++) {
            r[d] = new long[] {0, 1, in.dim(d)};
        }
        for (int i = 0; i < st.length; i++) {
            int a = axis(ax == null ? i : ax[i], rank);
            long step = sp == null ? 1 : sp[i];
            if (step == 0) {
                throw shapeError("step must not be 0");
            }
            long dim = in.dim(a);
            if (dim < 0) {
                r[a] = new long[] {0, step, -1};
                continue;
            }
            long s = st[i] < 0 ? st[i] + dim : st[i];
            long e = en[i] < 0 ? en[i] + dim : en[i];
            if (step > 0) {
                s = Math.clamp(s, 0, dim);
                e = Math.clamp(e, 0, dim);
            } else {
                s = Math.clamp(s, 0, dim - 1);
                e = Math.clamp(e, -1, dim - 1);
            }
            long count = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
            r[a] = new long[] {s, step, Math.max(0, count)};
        }
        return r;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        long[][] r = ranges(x.shape(), constant(constants, 1), constant(constants, 2), constant(constants, 3),
                constant(constants, 4));
        int[] d = new int[x.shape().rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r == null ? Shape.UNKNOWN : (int) r[i][2];
        }
        return List.of(new TensorType(x.dtype(), Shape.of(d)));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        long[][] r = ranges(in, input(inputs, 1), input(inputs, 2), input(inputs, 3), input(inputs, 4));
        if (r == null) {
            throw shapeError("starts and ends are required inputs from opset 10");
        }
        int[] out = new int[in.rank()];
        for (int d = 0; d < out.length; d++) {
            out[d] = (int) r[d][2];
        }
        return axisPlan(out, in.strides(), (d, c) -> (int) (r[d][0] + c * r[d][1]));
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
