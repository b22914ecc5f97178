package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Range(start, limit, delta): start + i * delta for i in [0, max(ceil((limit - start) / delta), 0)). */
final class Range extends AbstractOp {
    Range(Attributes a) {
        super("Range", a);
    }

    private static int count(Tensor start, Tensor limit, Tensor delta) {
        double s = start.getDouble(0);
        double l = limit.getDouble(0);
        double d = delta.getDouble(0);
        return (int) Math.max(Math.ceil((l - s) / d), 0);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType s = required(inputs, 0);
        Tensor a = constant(constants, 0);
        Tensor b = constant(constants, 1);
        Tensor c = constant(constants, 2);
        int n = a == null || b == null || c == null ? Shape.UNKNOWN : count(a, b, c);
        return List.of(new TensorType(s.dtype(), Shape.of(n)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor start = inputs[0];
        int n = count(start, inputs[1], inputs[2]);
        if (start.dtype() == DType.INT64 || start.dtype() == DType.INT32) {
            long s = start.getLong(0);
            long d = inputs[2].getLong(0);
            long[] v = new long[n];
            for (int i = 0; i < n; i++) {
                v[i] = s + i * d;
            }
            Tensor t = Tensor.ofLongs(Shape.of(n), v);
            return new Tensor[] {start.dtype() == DType.INT64 ? t : t.cast(start.dtype())};
        }
        double s = start.getDouble(0);
        double d = inputs[2].getDouble(0);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = s + i * d;
        }
        return new Tensor[] {Elems.fromDoubles(start.dtype(), Shape.of(n), v)};
    }

    // input roles: start, limit and delta
    @Override
    public InputRole inputRole(int index) {
        return index >= 0 ? InputRole.SETTING : InputRole.DATA;
    }
}
