package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Add (with broadcasting) followed by a clamp to [activation_min, activation_max] (a fused Relu
 * or Clip; absent bounds are unbounded), in Minnow's domain. Shape inference is Add's.
 */
public final class FusedAddOp extends NnOp {
    public static final String TYPE = "FusedAdd";

    @Override
    public String domain() {
        return dev.minnow.graph.OpRegistry.MINNOW_DOMAIN;
    }

    private final Op add;
    private final float lo;
    private final float hi;

    public FusedAddOp(Attributes attrs) {
        super(TYPE, attrs);
        this.add = OpRegistry.global().create("Add", FusedConvOp.without(this.attrs, FusedConvOp.MIN, FusedConvOp.MAX));
        this.lo = (float) this.attrs.getFloat(FusedConvOp.MIN, Double.NEGATIVE_INFINITY);
        this.hi = (float) this.attrs.getFloat(FusedConvOp.MAX, Double.POSITIVE_INFINITY);
    }

    /** The attributes of a FusedAdd with these bounds (an infinite bound is left out). */
    public static Attributes attributes(float lo, float hi) {
        return FusedConvOp.attributes(new Attributes(), lo, hi);
    }

    public float min() {
        return lo;
    }

    public float max() {
        return hi;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        return add.inferTypes(in, constants);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return new Tensor[] {FusedConvOp.clamp(add.forward(ctx, inputs)[0], lo, hi)};
    }
}
