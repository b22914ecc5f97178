package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Reshape(data, shape): in the target shape 0 copies the input dim (unless allowzero=1,
 * opset 14+, where 0 is a real zero) and one -1 is inferred. Opsets below 5 carried the
 * target as the attribute "shape". When the shape input is not a constant during inference,
 * the output has the shape input's length as rank and unknown dims.
 */
final class Reshape extends ReshapeLike {
    /** Most elements one tensor can hold (one Java array). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private final boolean allowZero;
    private final long[] attrShape;

    Reshape(Attributes a) {
        super("Reshape", a);
        long az = a.getInt("allowzero", 0);
        if (az != 0 && az != 1) {
            throw unsupported("allowzero", az, "0, 1");
        }
        allowZero = az == 1;
        attrShape = a.getInts("shape", null);
    }

    @Override
    protected Shape outputShape(Shape in, List<TensorType> inputs, List<Tensor> constants) {
        long[] target;
        if (attrShape != null && (inputs.size() < 2 || inputs.get(1) == null)) {
            target = attrShape;
        } else {
            Tensor s = constant(constants, 1);
            if (s == null) {
                TensorType st = required(inputs, 1);
                if (st.shape().rank() != 1 || st.shape().dim(0) < 0) {
                    throw shapeError("the shape input must be a 1-D tensor of known length, got " + st.shape());
                }
                int[] d = new int[st.shape().dim(0)];
                java.util.Arrays.fill(d, Shape.UNKNOWN);
                return Shape.of(d);
            }
            target = Elems.longs(s);
        }
        return resolve(in, target);
    }

    private Shape resolve(Shape in, long[] target) {
        int[] out = new int[target.length];
        int inferAt = -1;
        // dims copied by a 0 appear on both sides and cancel, so they may be unknown (a batch of -1)
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == -1) {
                if (inferAt >= 0) {
                    throw shapeError("target shape " + java.util.Arrays.toString(target) + " has more than one -1");
                }
                inferAt = i;
            } else if (t == 0 && !allowZero) {
                if (i >= in.rank()) {
                    throw shapeError("target dim " + i + " is 0 (copy) but the input " + in + " has no dim " + i);
                }
                out[i] = in.dim(i);
            } else if (t < 0) {
                throw shapeError("invalid target dim " + t);
            } else if (t > Integer.MAX_VALUE || t > 0 && known > MAX_ELEMENTS / t) {
                // known <= MAX_ELEMENTS before each product, so it cannot wrap around
                throw shapeError("target shape " + java.util.Arrays.toString(target) + " has more than " + MAX_ELEMENTS
                        + " elements (target dim " + i + " is " + t + "): no tensor can hold it");
            } else {
                out[i] = (int) t;
                known *= t;
            }
        }
        if (inferAt >= 0) {
            long rest = 1;
            boolean unknown = false;
            for (int i = 0; i < in.rank(); i++) {
                boolean copied = i < target.length && target[i] == 0 && !allowZero;
                if (!copied) {
                    unknown |= in.dim(i) == Shape.UNKNOWN;
                    // saturate: a declared input shape may multiply past the long range
                    int d = Math.max(in.dim(i), 0);
                    rest = d != 0 && rest > Long.MAX_VALUE / d ? Long.MAX_VALUE : rest * d;
                }
            }
            if (unknown) {
                out[inferAt] = Shape.UNKNOWN;
            } else if (known == 0 || rest % known != 0) {
                throw shapeError("cannot reshape " + in + " to " + java.util.Arrays.toString(target));
            } else if (rest / known > Integer.MAX_VALUE) {
                throw shapeError("cannot reshape " + in + " to " + java.util.Arrays.toString(target) + ": the inferred dim "
                        + rest / known + " is larger than " + Integer.MAX_VALUE);
            } else {
                out[inferAt] = (int) (rest / known);
            }
        }
        return Shape.of(out);
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
