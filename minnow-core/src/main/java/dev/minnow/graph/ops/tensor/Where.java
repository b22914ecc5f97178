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
 * Where(condition, X, Y): X where condition else Y, all three broadcast together. The
 * gradient goes to X where the condition holds and to Y elsewhere, summed over broadcast
 * axes. MACs: 0.
 */
final class Where extends AbstractOp {
    Where(Attributes a) {
        super("Where", a);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType c = required(inputs, 0);
        TensorType x = required(inputs, 1);
        TensorType y = required(inputs, 2);
        return List.of(new TensorType(x.dtype(), Broadcast.shape(type(), c.shape(), x.shape(), y.shape())));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor c = inputs[0];
        Tensor x = inputs[1];
        Tensor y = inputs[2];
        Shape s = Broadcast.shape(type(), c.shape(), x.shape(), y.shape());
        int n = s.sizeInt();
        int[] mc = Broadcast.map(c.shape(), s);
        int[] mx = Broadcast.map(x.shape(), s);
        int[] my = Broadcast.map(y.shape(), s);
        // index into the concatenation [x, y] so one gather serves every dtype
        Tensor both = new Concat(Attributes.of("axis", 0L)).forward(ctx,
                new Tensor[] {x.reshape(Shape.of(x.size())), y.reshape(Shape.of(y.size()))})[0];
        byte[] cond = c.cast(DType.BOOL).bytes();
        int[] map = new int[n];
        for (int i = 0; i < n; i++) {
            map[i] = cond[mc == null ? i : mc[i]] != 0 ? (mx == null ? i : mx[i]) : x.size() + (my == null ? i : my[i]);
        }
        return new Tensor[] {Elems.gather(both, map, s, 0)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[3];
        Tensor g = gradOutputs[0];
        if (g == null || inputs[1].dtype() != DType.FLOAT32) {
            return r;
        }
        Shape s = g.shape();
        int[] mc = Broadcast.map(inputs[0].shape(), s);
        byte[] cond = inputs[0].cast(DType.BOOL).bytes();
        float[] gv = g.floats();
        float[] gx = new float[gv.length];
        float[] gy = new float[gv.length];
        for (int i = 0; i < gv.length; i++) {
            if (cond[mc == null ? i : mc[i]] != 0) {
                gx[i] = gv[i];
            } else {
                gy[i] = gv[i];
            }
        }
        r[1] = Elems.f32(inputs[1].shape(), Broadcast.reduce(gx, s, inputs[1].shape()));
        r[2] = Elems.f32(inputs[2].shape(), Broadcast.reduce(gy, s, inputs[2].shape()));
        return r;
    }
}
