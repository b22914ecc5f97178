package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small helpers shared by the op tests. */
public final class OpTesting {
    private OpTesting() {
    }

    public static Op op(String type, Object... attrs) {
        return OpRegistry.global().create(type, Attributes.of(attrs));
    }

    public static Tensor[] run(Op op, Tensor... inputs) {
        return op.forward(OpContext.inference(), inputs);
    }

    /** Runs the op and checks that shape inference agrees with the computed output. */
    public static Tensor run1(Op op, Tensor... inputs) {
        Tensor y = run(op, inputs)[0];
        List<TensorType> types = new ArrayList<>();
        for (Tensor t : inputs) {
            types.add(t == null ? null : new TensorType(t.dtype(), t.shape()));
        }
        TensorType inferred = op.inferTypes(types, java.util.Arrays.asList(inputs)).get(0);
        assertEquals(new TensorType(y.dtype(), y.shape()), inferred, op.type() + ": inferred type");
        return y;
    }

    public static Tensor f(int[] dims, float... v) {
        return Tensor.of(Shape.of(dims), v);
    }

    public static int[] dims(int... d) {
        return d;
    }

    public static Tensor longs(long... v) {
        return Tensor.ofLongs(Shape.of(v.length), v);
    }

    public static void assertClose(float[] expected, Tensor actual, double tol) {
        float[] a = actual.floats();
        assertEquals(expected.length, a.length, "length");
        for (int i = 0; i < a.length; i++) {
            assertEquals(expected[i], a[i], tol * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    public static void assertShape(Tensor t, int... dims) {
        assertArrayEquals(dims, t.shape().dims());
    }

    /** Random values in [-1, 1) whose magnitude is at least margin (avoids kinks at 0). */
    public static Tensor randomAway(SplittableRandom r, double margin, int... dims) {
        Tensor t = GradCheck.random(r, dims);
        float[] a = t.floats();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i]) < margin) {
                a[i] = (float) (a[i] < 0 ? a[i] - margin : a[i] + margin);
            }
        }
        return t;
    }
}
