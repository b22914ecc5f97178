package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conv followed by y = min(max(y, activation_min), activation_max) (a fused Relu or Clip), in
 * Minnow's domain: the attributes are Conv's plus the two bounds (absent: unbounded). Shape
 * inference and MACs are Conv's; the inference executor runs it through the conv kernels with
 * the clamp applied as each output is stored.
 */
public final class FusedConvOp extends NnOp {
    public static final String TYPE = "FusedConv";

    @Override
    public String domain() {
        return dev.minnow.graph.OpRegistry.MINNOW_DOMAIN;
    }
    public static final String MIN = "activation_min";
    public static final String MAX = "activation_max";

    private final ConvOp conv;
    private final float lo;
    private final float hi;

    public FusedConvOp(Attributes attrs) {
        super(TYPE, attrs);
        this.conv = new ConvOp(without(this.attrs, MIN, MAX));
        this.lo = (float) this.attrs.getFloat(MIN, Double.NEGATIVE_INFINITY);
        this.hi = (float) this.attrs.getFloat(MAX, Double.POSITIVE_INFINITY);
    }

    /** The attributes of a FusedConv: conv's, with the bounds added (an infinite bound is left out). */
    public static Attributes attributes(Attributes convAttributes, float lo, float hi) {
        Attributes a = new Attributes(convAttributes.asMap());
        if (lo != Float.NEGATIVE_INFINITY) {
            a.set(MIN, (double) lo);
        }
        if (hi != Float.POSITIVE_INFINITY) {
            a.set(MAX, (double) hi);
        }
        return a;
    }

    static Attributes without(Attributes a, String... names) {
        Map<String, Object> m = new LinkedHashMap<>(a.asMap());
        for (String n : names) {
            m.remove(n);
        }
        return new Attributes(m);
    }

    /** The convolution before the clamp. */
    public ConvOp conv() {
        return conv;
    }

    public float min() {
        return lo;
    }

    public float max() {
        return hi;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        return conv.inferTypes(in, constants);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return new Tensor[] {clamp(conv.forward(ctx, inputs)[0], lo, hi)};
    }

    /** y clamped in place when it is float32 (a fresh op output), else as a new tensor. */
    static Tensor clamp(Tensor y, float lo, float hi) {
        if (y.dtype() == DType.FLOAT32) {
            float[] v = y.floats();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min(Math.max(v[i], lo), hi);
            }
            return y;
        }
        double[] d = Elems.doubles(y);
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.min(Math.max(d[i], lo), hi);
        }
        return Elems.fromDoubles(y.dtype(), y.shape(), d);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return conv.macs(in, out);
    }
}
