package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Clip: y = min(max(x, min), max). Opset 11+ takes min and max as optional scalar inputs,
 * older opsets as float attributes. When min &gt; max every element becomes max (ONNX).
 * ReLU6 is Clip(0, 6). The gradient flows to x where min &lt;= x &lt;= max; min and max
 * (when given as inputs) get the summed gradient where x is below or above them, so a PACT
 * clip value can be learned.
 * MACs: 0 (element-wise; docs/COST.md).
 */
final class Clip extends AbstractOp {
    private final double attrMin;
    private final double attrMax;

    Clip(Attributes a) {
        super("Clip", a);
        attrMin = a.getFloat("min", Double.NEGATIVE_INFINITY);
        attrMax = a.getFloat("max", Double.POSITIVE_INFINITY);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(required(inputs, 0));
    }

    private double bound(Tensor[] inputs, int i, double attr) {
        if (opset < 11) {
            return attr;
        }
        Tensor t = input(inputs, i);
        if (t == null) {
            return i == 1 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (t.size() != 1) {
            throw shapeError((i == 1 ? "min" : "max") + " must be a scalar, got shape " + t.shape());
        }
        return t.getDouble(0);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        double lo = bound(inputs, 1, attrMin);
        double hi = bound(inputs, 2, attrMax);
        if (x.dtype() == DType.FLOAT32) {
            float[] a = x.floats();
            float[] y = new float[a.length];
            float l = (float) lo;
            float h = (float) hi;
            for (int i = 0; i < a.length; i++) {
                y[i] = Math.min(Math.max(a[i], l), h);
            }
            return new Tensor[] {Elems.f32(x.shape(), y)};
        }
        double[] a = Elems.doubles(x);
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.min(Math.max(a[i], lo), hi);
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), x.shape(), a)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] == null) {
            return r;
        }
        float lo = (float) bound(inputs, 1, attrMin);
        float hi = (float) bound(inputs, 2, attrMax);
        float[] x = inputs[0].floats();
        float[] g = gradOutputs[0].floats();
        float[] gx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            // branch-free "lo <= x <= hi": the sign bit of x - lo or hi - x is set when x is outside
            int outside = (Float.floatToRawIntBits(x[i] - lo) | Float.floatToRawIntBits(hi - x[i])) >> 31;
            gx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & ~outside);
        }
        r[0] = Elems.f32(inputs[0].shape(), gx);
        for (int i = 1; i < r.length && opset >= 11; i++) {
            r[i] = boundGradient(inputs, i, x, g, i == 1 ? lo : hi, i == 1);
        }
        return r;
    }

    // input roles: min and max are bounds, not learned (ReLU6 is Clip(0, 6))
    /** d loss / d bound: the sum of the output gradient over elements clipped to that bound. */
    private static Tensor boundGradient(Tensor[] inputs, int i, float[] x, float[] g, float bound, boolean lower) {
        if (i >= inputs.length || inputs[i] == null || inputs[i].dtype() != DType.FLOAT32) {
            return null;
        }
        double sum = 0;
        for (int k = 0; k < x.length; k++) {
            if (lower ? x[k] < bound : x[k] > bound) {
                sum += g[k];
            }
        }
        float[] r = new float[inputs[i].size()];
        r[0] = (float) sum;
        return Elems.f32(inputs[i].shape(), r);
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
