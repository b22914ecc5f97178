package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Constant: exactly one of value (tensor), value_float, value_floats, value_int, value_ints.
 * String and sparse constants are not supported. The output is the stored tensor itself:
 * consumers must not modify it (no op does).
 */
final class Constant extends AbstractOp {
    private final Tensor value;

    Constant(Attributes a) {
        super("Constant", a);
        for (String s : new String[] {"sparse_value", "value_string", "value_strings"}) {
            if (a.has(s)) {
                throw unsupported(s, "(given)", "value, value_float, value_floats, value_int, value_ints");
            }
        }
        if (a.has("value")) {
            value = a.getTensor("value");
        } else if (a.has("value_float")) {
            value = Tensor.scalar((float) a.getFloat("value_float", 0));
        } else if (a.has("value_floats")) {
            double[] d = a.getFloats("value_floats", null);
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            value = Tensor.of(Shape.of(f.length), f);
        } else if (a.has("value_int")) {
            value = Tensor.wrap(DType.INT64, Shape.scalar(), new long[] {a.getInt("value_int", 0)});
        } else if (a.has("value_ints")) {
            long[] v = a.getInts("value_ints", null);
            value = Tensor.ofLongs(Shape.of(v.length), v);
        } else {
            throw shapeError("one of the attributes value, value_float, value_floats, value_int, value_ints is required");
        }
    }

    /** The constant's value (shared; do not modify). */
    Tensor value() {
        return value;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        return List.of(new TensorType(value.dtype(), value.shape()));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return new Tensor[] {value};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        return new Tensor[0];
    }
}
