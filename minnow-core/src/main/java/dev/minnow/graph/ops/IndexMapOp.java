package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Base of the data-movement ops whose every output element copies one element of input 0
 * (or a fill value): Transpose, Slice, Expand, Tile, Pad, Gather, DepthToSpace, ... A
 * subclass computes the index map from the inputs; forward gathers along it, for any dtype,
 * and backward scatter-adds the output gradient along the same map (the exact adjoint).
 * MACs: 0.
 */
public abstract class IndexMapOp extends AbstractOp {
    /** Output shape and, per output element, the flat index into input 0 (-1: the fill value). */
    protected record Plan(Shape shape, int[] map) {
        // public: subclasses in the family packages construct plans (a protected one could not be called there)
        public Plan {
        }
    }

    protected IndexMapOp(String type, Attributes attributes) {
        super(type, attributes);
    }

    protected abstract Plan plan(Tensor[] inputs);

    /** Value written where the map is -1 (Pad's constant). */
    protected double fill(Tensor[] inputs) {
        return 0;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Plan p = plan(inputs);
        return new Tensor[] {Elems.gather(inputs[0], p.map(), p.shape(), fill(inputs))};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] != null && inputs[0].dtype() == DType.FLOAT32) {
            Plan p = plan(inputs);
            r[0] = Elems.f32(inputs[0].shape(), Elems.scatterAdd(gradOutputs[0].floats(), p.map(), inputs[0].size()));
        }
        return r;
    }

    /** Input coordinate read for output coordinate c along axis d (negative: the fill value). */
    protected interface AxisSource {
        int at(int d, int c);
    }

    /**
     * Plan of an op that treats each axis independently. The output can be far larger than the
     * input (Pad, Tile), so its size is checked before the tables or the map (one int per
     * output element) are allocated.
     */
    protected Plan axisPlan(int[] outDims, int[] inStrides, AxisSource source) {
        int n = checkedElements(outDims, Integer.BYTES, "the index map of the output");
        if (n == 0) {
            return new Plan(Shape.of(outDims), new int[0]); // an empty axis beside a huge one needs no tables
        }
        int[][] tables = new int[outDims.length][];
        for (int d = 0; d < outDims.length; d++) {
            tables[d] = new int[outDims[d]];
            for (int c = 0; c < outDims[d]; c++) {
                tables[d][c] = source.at(d, c);
            }
        }
        return new Plan(Shape.of(outDims), axisMap(outDims, tables, inStrides));
    }

    /**
     * The map of an op that treats each axis independently: output coordinate c along axis d
     * reads input coordinate tables[d][c] (negative: fill), at input stride strides[d].
     */
    protected static int[] axisMap(int[] outDims, int[][] tables, int[] strides) {
        int rank = outDims.length;
        long total = 1;
        for (int d : outDims) {
            total *= d;
        }
        int[] m = new int[Math.toIntExact(total)];
        if (m.length == 0) {
            return m;
        }
        int[] idx = new int[rank];
        for (int i = 0; i < m.length; i++) {
            int off = 0;
            for (int d = 0; d < rank; d++) {
                int t = tables[d][idx[d]];
                if (t < 0) {
                    off = -1;
                    break;
                }
                off += t * strides[d];
            }
            m[i] = off;
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < outDims[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return m;
    }

    /** The table 0, 1, ..., n-1 (an axis copied as it is). */
    public static int[] identity(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
        }
        return t;
    }

    /** Map of a permutation of a (reshaped) input: output axis d is input axis perm[d]. */
    protected static int[] permuteMap(int[] inDims, int[] perm) {
        int[] inStrides = Shape.of(inDims).strides();
        int[] outDims = new int[perm.length];
        int[] strides = new int[perm.length];
        int[][] tables = new int[perm.length][];
        for (int d = 0; d < perm.length; d++) {
            outDims[d] = inDims[perm[d]];
            strides[d] = inStrides[perm[d]];
            tables[d] = identity(outDims[d]);
        }
        return axisMap(outDims, tables, strides);
    }
}
