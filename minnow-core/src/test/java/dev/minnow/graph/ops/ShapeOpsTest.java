package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.ShapeException;

import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShapeOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(11);

    @Test
    void flattenAxes() {
        Tensor x = Tensor.zeros(Shape.of(2, 3, 4, 5));
        assertShape(run1(op("Flatten"), x), 2, 60);
        assertShape(run1(op("Flatten", "axis", 0L), x), 1, 120);
        assertShape(run1(op("Flatten", "axis", 4L), x), 120, 1);
        assertShape(run1(op("Flatten", "axis", -1L), x), 24, 5);
        List<TensorType> t = op("Flatten").inferTypes(List.of(TensorType.f32(-1, 3, 4, 5)), Arrays.asList((Tensor) null));
        assertEquals(Shape.of(-1, 60), t.get(0).shape());
    }

    @Test
    void reshapeZeroMinusOneAndAllowZero() {
        Tensor x = Tensor.zeros(Shape.of(2, 3, 4));
        assertShape(run1(op("Reshape"), x, longs(4, -1)), 4, 6);
        assertShape(run1(op("Reshape"), x, longs(0, -1)), 2, 12);
        assertShape(run1(op("Reshape"), x, longs(0, 0, 2, 2)), 2, 3, 2, 2);
        Tensor empty = Tensor.zeros(Shape.of(0, 3, 4));
        assertShape(run1(op("Reshape", "allowzero", 1L), empty, longs(3, 4, 0)), 3, 4, 0);
        List<TensorType> t = op("Reshape").inferTypes(List.of(TensorType.f32(-1, 3, 4),
                new TensorType(DType.INT64, Shape.of(2))), Arrays.asList(null, longs(0, -1)));
        assertEquals(Shape.of(-1, 12), t.get(0).shape());
        List<TensorType> u = op("Reshape").inferTypes(List.of(TensorType.f32(-1, 3, 4),
                new TensorType(DType.INT64, Shape.of(2))), Arrays.asList(null, null));
        assertEquals(Shape.of(-1, -1), u.get(0).shape());
        Tensor v = f(dims(2, 2), 1, 2, 3, 4);
        assertArrayEquals(new float[] {1, 2, 3, 4}, run1(op("Reshape"), v, longs(4)).floats());
        GradCheck.check(op("Reshape"), new Tensor[] {GradCheck.random(rnd, 2, 6), longs(3, 4)}, 0);
        GradCheck.check(op("Flatten"), new Tensor[] {GradCheck.random(rnd, 2, 2, 3)}, 0);
    }

    /** Fuzz long run, case 8056 and 16 more: target dims past the int range overflowed inside resolve. */
    @Test
    void reshapeRefusesTargetsNoTensorCanHold() {
        Tensor x = Tensor.zeros(Shape.of(2, 3));
        ShapeException huge = assertThrows(ShapeException.class, () -> run(op("Reshape"), x, longs(1L << 40, -1)));
        assertTrue(huge.getMessage().startsWith("Reshape: ") && huge.getMessage().contains("1099511627776"), huge.getMessage());
        // every dim fits an int, their product does not (and would wrap a long on the next dim)
        long big = Integer.MAX_VALUE;
        ShapeException product = assertThrows(ShapeException.class, () -> op("Reshape").inferTypes(
                List.of(TensorType.f32(2, 3), new TensorType(DType.INT64, Shape.of(3))),
                Arrays.asList(null, longs(big, big, big))));
        assertTrue(product.getMessage().contains("no tensor can hold it"), product.getMessage());
        // a declared input whose size passes the long range, inferred through -1
        ShapeException inferred = assertThrows(ShapeException.class, () -> op("Reshape").inferTypes(
                List.of(TensorType.f32(2_000_000_000, 2_000_000_000, 2_000_000_000, 8), new TensorType(DType.INT64, Shape.of(2))),
                Arrays.asList(null, longs(-1, 8))));
        assertTrue(inferred.getMessage().startsWith("Reshape: cannot reshape"), inferred.getMessage());
        ShapeException tooLong = assertThrows(ShapeException.class, () -> op("Reshape").inferTypes(
                List.of(TensorType.f32(2_000_000_000, 4), new TensorType(DType.INT64, Shape.of(1))),
                Arrays.asList(null, longs(-1))));
        assertTrue(tooLong.getMessage().contains("inferred dim 8000000000"), tooLong.getMessage());
        // allowzero with a 0 target dim is still fine next to these checks
        assertShape(run1(op("Reshape", "allowzero", 1L), Tensor.zeros(Shape.of(0, 3)), longs(0, 5)), 0, 5);
    }

    @Test
    void concatByHandAndGradient() {
        Tensor a = f(dims(2, 2), 1, 2, 3, 4);
        Tensor b = f(dims(2, 1), 5, 6);
        assertClose(new float[] {1, 2, 5, 3, 4, 6}, run1(op("Concat", "axis", 1L), a, b), 0);
        assertClose(new float[] {1, 2, 5, 3, 4, 6}, run1(op("Concat", "axis", -1L), a, b), 0);
        Tensor c = f(dims(1, 2), 7, 8);
        assertClose(new float[] {1, 2, 3, 4, 7, 8}, run1(op("Concat", "axis", 0L), a, c), 0);
        Tensor l = run1(op("Concat", "axis", 0L), longs(1, 2), longs(3));
        assertArrayEquals(new long[] {1, 2, 3}, l.longs());
        GradCheck.check(op("Concat", "axis", 1L), new Tensor[] {GradCheck.random(rnd, 2, 3, 2),
            GradCheck.random(rnd, 2, 1, 2), GradCheck.random(rnd, 2, 2, 2)}, 0, 1, 2);
    }

    @Test
    void identityAndConstant() {
        Tensor x = f(dims(2), 1, 2);
        assertArrayEquals(new float[] {1, 2}, run1(op("Identity"), x).floats());
        GradCheck.check(op("Identity"), new Tensor[] {GradCheck.random(rnd, 3)}, 0);
        Tensor v = Tensor.ofInts(Shape.of(2), 4, 5);
        assertSame(v, run1(op("Constant", "value", v)));
        assertEquals(2.5, run1(op("Constant", "value_float", 2.5f)).getDouble(0));
        assertArrayEquals(new long[] {3, 4}, run1(op("Constant", "value_ints", new long[] {3, 4})).longs());
        assertEquals(Shape.scalar(), run1(op("Constant", "value_int", 9L)).shape());
        assertArrayEquals(new float[] {1, 2}, run1(op("Constant", "value_floats", new float[] {1, 2})).floats());
    }

    @Test
    void inferenceWithoutConstantsKeepsWhatIsKnown() {
        TensorType axes = new TensorType(DType.INT64, Shape.of(2));
        List<Tensor> none = Arrays.asList(null, null);
        assertEquals(Shape.of(-1, -1, -1), op("ReduceMean").inferTypes(List.of(TensorType.f32(-1, 3, 4), axes), none).get(0).shape());
        assertEquals(Shape.of(-1, -1, -1, -1), op("Unsqueeze").inferTypes(List.of(TensorType.f32(-1, 3), axes), none).get(0).shape());
        assertEquals(Shape.of(-1), op("Det").inferTypes(List.of(TensorType.f32(-1, -1, -1)), none).get(0).shape());
        assertEquals(Shape.of(2, -1, -1, 2), op("AffineGrid").inferTypes(List.of(TensorType.f32(2, 2, 3),
                new TensorType(DType.INT64, Shape.of(4))), none).get(0).shape());
        assertEquals(Shape.of(-1, 3, 2), op("Transpose", "perm", new long[] {0, 2, 1}).inferTypes(List.of(TensorType.f32(-1, 2, 3)),
                Arrays.asList((Tensor) null)).get(0).shape());
    }

    @Test
    void padGradientReachesDataAndConstantValueInEveryMode() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (String mode : new String[] {"constant", "reflect", "edge", "wrap"}) {
            Tensor[] in = {GradCheck.random(rnd, 2, 3, 4), Tensor.ofLongs(Shape.of(6), 0, 2, 1, 1, 0, 3),
                    Tensor.of(Shape.scalar(), 0.5f)};
            GradCheck.check(op("Pad", "mode", mode), in, new int[] {0, 2}, false, 1e-3, 1e-3);
        }
        // by hand: [a] padded by 1 on each side with v gives [v, a, v]: dL/dv = g0 + g2
        Tensor[] in = {f(dims(1), 3), Tensor.ofLongs(Shape.of(2), 1, 1), Tensor.of(Shape.scalar(), 7)};
        Tensor[] g = op("Pad").backward(null, in, null, new Tensor[] {f(dims(3), 0.25f, 10, 2)});
        assertClose(new float[] {2.25f}, g[2], 0);
        assertClose(new float[] {10}, g[0], 0);
    }
}
