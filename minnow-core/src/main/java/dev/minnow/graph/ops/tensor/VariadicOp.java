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
 * Sum, Mean, Max and Min over one or more inputs, all broadcast together. Computed in
 * double and rounded to the element type. Gradients: Sum passes the gradient to every
 * input, Mean divides it by the input count, Max and Min give it to the first input that
 * holds the extreme value. MACs: 0 (element-wise; docs/COST.md).
 */
final class VariadicOp extends AbstractOp {
    private final String kind;

    VariadicOp(String type, Attributes a) {
        super(type, a);
        this.kind = type;
    }

    private double combine(double acc, double v) {
        return switch (kind) {
            case "Max" -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.max(acc, v);
            case "Min" -> Double.isNaN(acc) || Double.isNaN(v) ? Double.NaN : Math.min(acc, v);
            default -> acc + v;
        };
    }

    private Shape outShape(List<TensorType> inputs) {
        Shape[] s = new Shape[inputs.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = required(inputs, i).shape();
        }
        return Broadcast.shape(type(), s);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(new TensorType(required(inputs, 0).dtype(), outShape(inputs)));
    }

    private static List<TensorType> types(Tensor[] inputs) {
        List<TensorType> t = new java.util.ArrayList<>();
        for (Tensor x : inputs) {
            t.add(new TensorType(x.dtype(), x.shape()));
        }
        return t;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Shape s = outShape(types(inputs));
        int n = s.sizeInt();
        double[] acc = new double[n];
        for (int k = 0; k < inputs.length; k++) {
            double[] v = Elems.doubles(inputs[k]);
            int[] m = Broadcast.map(inputs[k].shape(), s);
            for (int i = 0; i < n; i++) {
                double x = v[m == null ? i : m[i]];
                acc[i] = k == 0 ? x : combine(acc[i], x);
            }
        }
        if (kind.equals("Mean")) {
            for (int i = 0; i < n; i++) {
                acc[i] /= inputs.length;
            }
        }
        return new Tensor[] {Elems.fromDoubles(inputs[0].dtype(), s, acc)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor g = gradOutputs[0];
        if (g == null || inputs[0].dtype() != DType.FLOAT32) {
            return r;
        }
        Shape s = g.shape();
        float[] gv = g.floats();
        float[] y = outputs[0].floats();
        boolean[] taken = new boolean[gv.length];
        for (int k = 0; k < inputs.length; k++) {
            float[] gk = new float[gv.length];
            float[] v = inputs[k].floats();
            int[] m = Broadcast.map(inputs[k].shape(), s);
            for (int i = 0; i < gv.length; i++) {
                switch (kind) {
                    case "Sum" -> gk[i] = gv[i];
                    case "Mean" -> gk[i] = gv[i] / inputs.length;
                    default -> {
                        if (!taken[i] && v[m == null ? i : m[i]] == y[i]) {
                            taken[i] = true;
                            gk[i] = gv[i];
                        }
                    }
                }
            }
            r[k] = Elems.f32(inputs[k].shape(), Broadcast.reduce(gk, s, inputs[k].shape()));
        }
        return r;
    }
}
