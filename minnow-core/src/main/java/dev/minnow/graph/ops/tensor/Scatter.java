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
import java.util.List;

/**
 * ScatterElements (and its old name Scatter) and ScatterND: a copy of data with updates
 * written at the places the indices name, or combined there with reduction add, mul, max or
 * min (opset 16/18). ScatterElements replaces the axis coordinate of each updates element
 * by its index; ScatterND's index tuples address whole slices. Differentiable for reduction
 * none (data's gradient is zero where overwritten) and add.
 */
final class Scatter extends AbstractOp {
    private final boolean nd;
    private final long axisAttr;
    private final String reduction;

    Scatter(String type, Attributes a) {
        super(type, a);
        nd = type.equals("ScatterND");
        axisAttr = a.getInt("axis", 0);
        reduction = a.getString("reduction", "none");
        if (!List.of("none", "add", "mul", "max", "min").contains(reduction)) {
            throw unsupported("reduction", reduction, "none, add, mul, max, min");
        }
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        required(inputs, 1);
        required(inputs, 2);
        return List.of(required(inputs, 0));
    }

    /** For each updates element, the flat data index it goes to. */
    private int[] targets(Tensor data, Tensor indices, Tensor updates) {
        Shape ds = data.shape();
        long[] idx = Elems.longs(indices);
        int[] st = ds.strides();
        int[] t = new int[updates.size()];
        if (nd) {
            int k = indices.shape().dim(-1);
            int slice = ReshapeLike.product(ds.dims(), k, ds.rank());
            int tuples = k == 0 ? 1 : idx.length / k;
            for (int u = 0; u < tuples; u++) {
                int off = 0;
                for (int j = 0; j < k; j++) {
                    long v = idx[u * k + j];
                    off += (int) (v < 0 ? v + ds.dim(j) : v) * st[j];
                }
                for (int s = 0; s < slice; s++) {
                    t[u * slice + s] = off + s;
                }
            }
            return t;
        }
        int ax = axis(axisAttr, ds.rank());
        int[] us = updates.shape().strides();
        int n = ds.dim(ax);
        for (int i = 0; i < t.length; i++) {
            int off = 0;
            for (int d = 0; d < ds.rank(); d++) {
                int c = (i / us[d]) % updates.shape().dim(d);
                if (d == ax) {
                    long v = idx[i];
                    if (v < -n || v >= n) {
                        throw shapeError("index " + v + " is out of range for axis " + ax + " of size " + n);
                    }
                    c = (int) (v < 0 ? v + n : v);
                }
                off += c * st[d];
            }
            t[i] = off;
        }
        return t;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor data = inputs[0];
        int[] t = targets(data, inputs[1], inputs[2]);
        double[] out = Elems.doubles(data);
        double[] u = Elems.doubles(inputs[2]);
        for (int i = 0; i < t.length; i++) {
            int j = t[i];
            out[j] = switch (reduction) {
                case "add" -> out[j] + u[i];
                case "mul" -> out[j] * u[i];
                case "max" -> Math.max(out[j], u[i]);
                case "min" -> Math.min(out[j], u[i]);
                default -> u[i];
            };
        }
        return new Tensor[] {Elems.fromDoubles(data.dtype(), data.shape(), out)};
    }

    @Override
    public boolean differentiable() {
        return reduction.equals("none") || reduction.equals("add");
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        if (!differentiable()) {
            throw noBackward();
        }
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] == null || inputs[0].dtype() != DType.FLOAT32) {
            return r;
        }
        int[] t = targets(inputs[0], inputs[1], inputs[2]);
        float[] g = gradOutputs[0].floats();
        float[] gd = g.clone();
        float[] gu = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            gu[i] = g[t[i]];
            if (reduction.equals("none")) {
                gd[t[i]] = 0;
            }
        }
        r[0] = Elems.f32(inputs[0].shape(), gd);
        r[2] = Elems.f32(inputs[2].shape(), gu);
        return r;
    }
}
