package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.IndexMapOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/** Transpose(perm): output axis i is input axis perm[i]; perm defaults to the reversed axes. */
public final class Transpose extends IndexMapOp {
    private final long[] permAttr;

    public Transpose(Attributes a) {
        super("Transpose", a);
        permAttr = a.getInts("perm", null);
    }

    private int[] perm(int rank) {
        int[] p = new int[rank];
        if (permAttr == null) {
            for (int i = 0; i < rank; i++) {
                p[i] = rank - 1 - i;
            }
            return p;
        }
        if (permAttr.length != rank) {
            throw shapeError("perm " + java.util.Arrays.toString(permAttr) + " does not fit rank " + rank);
        }
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = axis(permAttr[i], rank);
            if (seen[p[i]]) {
                throw shapeError("perm " + java.util.Arrays.toString(permAttr) + " repeats axis " + p[i]);
            }
            seen[p[i]] = true;
        }
        return p;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        int[] p = perm(x.shape().rank());
        int[] d = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = x.shape().dim(p[i]);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(d)));
    }

    @Override
    protected Plan plan(Tensor[] inputs) {
        int[] in = inputs[0].shape().dims();
        int[] p = perm(in.length);
        int[] out = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = in[p[i]];
        }
        return new Plan(Shape.of(out), permuteMap(in, p));
    }
}
