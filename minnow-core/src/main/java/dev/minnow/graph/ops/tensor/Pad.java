package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Pad(data, pads, constant_value?, axes?) with mode constant, reflect, edge or wrap (opset
 * 11+; before that pads, mode and value are attributes). pads = [begin..., end...] over the
 * padded axes (all axes, or those in axes, opset 18+); negative pads crop.
 */
final class Pad extends IndexMapOp {
    private final String mode;
    private final long[] attrPads;
    private final double attrValue;

    Pad(Attributes a) {
        super("Pad", a);
        mode = a.getString("mode", "constant");
        if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)) {
            throw unsupported("mode", mode, "constant, reflect, edge, wrap");
        }
        attrPads = a.getInts(opset < 2 ? "paddings" : "pads", null);
        attrValue = a.getFloat("value", 0);
    }

    /** {begin[], end[]} per input axis, or null when not known. */
    private long[][] pads(int rank, Tensor padsInput, Tensor axesInput) {
        long[] p = opset < 11 ? attrPads : padsInput == null ? null : Elems.longs(padsInput);
        if (p == null) {
            return null;
        }
        int[] axes;
        if (opset >= 18 && axesInput != null) {
            long[] ax = Elems.longs(axesInput);
            axes = new int[ax.length];
            for (int i = 0; i < ax.length; i++) {
                axes[i] = axis(ax[i], rank);
            }
        } else {
            axes = identity(rank);
        }
        if (p.length != 2 * axes.length) {
            throw shapeError("pads has " + p.length + " values, expected " + 2 * axes.length);
        }
        long[][] r = new long[2][rank];
        for (int i = 0; i < axes.length; i++) {
            r[0][axes[i]] = p[i];
            r[1][axes[i]] = p[i + axes.length];
        }
        return r;
    }

    /** Size of axis d after padding; pads beyond the int range cannot describe a tensor Minnow can hold. */
    private int padded(int n, long before, long after, int d) {
        long size = (long) n + Math.clamp(before, -(1L << 40), 1L << 40) + Math.clamp(after, -(1L << 40), 1L << 40);
        if (size > Integer.MAX_VALUE) {
            throw shapeError("pads " + before + ", " + after + " make axis " + d + " of size " + n + " larger than "
                    + Integer.MAX_VALUE);
        }
        if (size < 0) {
            throw shapeError("pads " + before + ", " + after + " crop axis " + d + " of size " + n + " below zero");
        }
        return (int) size;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        long[][] p = pads(x.shape().rank(), constant(constants, 1), constant(constants, 3));
        int[] d = x.shape().dims();
        for (int i = 0; i < d.length; i++) {
            d[i] = p == null || d[i] < 0 ? Shape.UNKNOWN : padded(d[i], p[0][i], p[1][i], i);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(d)));
    }

    @Override
    protected double fill(Tensor[] inputs) {
        if (opset < 11) {
            return attrValue;
        }
        Tensor v = input(inputs, 2);
        return v == null || v.size() == 0 ? 0 : v.getDouble(0);
    }

    /** IndexMapOp's scatter for the data, plus constant_value's gradient: the sum over the padded cells. */
    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = super.backward(ctx, inputs, outputs, gradOutputs);
        Tensor v = opset < 11 ? null : input(inputs, 2);
        if (v != null && v.size() == 1 && v.dtype() == DType.FLOAT32 && gradOutputs[0] != null) {
            int[] map = plan(inputs).map();
            float[] g = gradOutputs[0].floats();
            double s = 0;
            for (int i = 0; i < map.length; i++) {
                if (map[i] < 0) {
                    s += g[i];
                }
            }
            r[2] = Tensor.of(v.shape(), (float) s);
        }
        return r;
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        Shape in = inputs[0].shape();
        long[][] p = pads(in.rank(), input(inputs, 1), input(inputs, 3));
        if (p == null) {
            throw shapeError("pads are required (an input from opset 11)");
        }
        int[] out = new int[in.rank()];
        for (int d = 0; d < out.length; d++) {
            out[d] = padded(in.dim(d), p[0][d], p[1][d], d);
            if (in.dim(d) == 0 && out[d] > 0 && !mode.equals("constant")) {
                throw shapeError("mode " + mode + " cannot pad axis " + d + ", which is empty: there is no value to repeat");
            }
        }
        return axisPlan(out, in.strides(), (d, c) -> source(c - p[0][d], in.dim(d)));
    }

    /** Input coordinate read for coordinate i (possibly outside [0, n)), -1 for the constant. */
    private int source(long i, int n) {
        if (i >= 0 && i < n) {
            return (int) i;
        }
        return switch (mode) {
            case "edge" -> i < 0 ? 0 : n - 1;
            case "wrap" -> (int) Math.floorMod(i, n);
            case "reflect" -> {
                if (n == 1) {
                    yield 0;
                }
                int period = 2 * (n - 1);
                int j = (int) Math.floorMod(i, period);
                yield j < n ? j : period - j;
            }
            default -> -1;
        };
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
