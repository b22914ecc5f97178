package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class ResizeAndNmsTest {
    private final SplittableRandom rnd = new SplittableRandom(13);
    private final Tensor noRoi = Tensor.of(Shape.of(0));

    private static Tensor scales(float... s) {
        return Tensor.of(Shape.of(s.length), s);
    }

    @Test
    void nearestUpsampleHalfPixel() {
        Tensor x = f(dims(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor y = run1(op("Resize"), x, noRoi, scales(1, 1, 2, 2));
        assertShape(y, 1, 1, 4, 4);
        assertClose(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y, 0);
        Tensor u = run1(op("Upsample", "_opset", 9L), x, scales(1, 1, 1, 3));
        assertClose(new float[] {1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4}, u, 0);
    }

    @Test
    void linearHalfPixelAndAlignCorners() {
        Tensor x = f(dims(1, 1, 1, 2), 1, 2);
        // the same values as PyTorch's bilinear interpolation with align_corners=False
        assertClose(new float[] {1, 1.25f, 1.75f, 2}, run1(op("Resize", "mode", "linear"), x, noRoi, scales(1, 1, 1, 2)), 1e-6);
        Tensor sizes = longs(1, 1, 1, 3);
        assertClose(new float[] {1, 1.5f, 2}, run1(op("Resize", "mode", "linear", "coordinate_transformation_mode",
                "align_corners"), x, noRoi, null, sizes), 1e-6);
        // axes attribute (opset 18): sizes only for the last axis
        assertClose(new float[] {1, 1.5f, 2}, run1(op("Resize", "mode", "linear", "coordinate_transformation_mode",
                "align_corners", "axes", new long[] {-1}), x, noRoi, null, longs(3)), 1e-6);
    }

    @Test
    void cubicReproducesLinearFunctionsInside() {
        // Keys' cubic kernel reproduces polynomials up to degree 2 away from the borders
        float[] v = new float[8];
        for (int i = 0; i < v.length; i++) {
            v[i] = 3 * i + 1;
        }
        Tensor y = run1(op("Resize", "mode", "cubic", "coordinate_transformation_mode", "asymmetric"),
                f(dims(1, 8), v), noRoi, scales(1, 2));
        for (int o = 4; o < 10; o++) {
            Assertions.assertEquals(3 * (o / 2.0) + 1, y.floats()[o], 1e-5);
        }
    }

    @Test
    void resizeGradients() {
        Tensor x = GradCheck.random(rnd, 1, 2, 3, 3);
        GradCheck.check(op("Resize", "mode", "linear"), new Tensor[] {x, noRoi, scales(1, 1, 1.5f, 2)}, 0);
        GradCheck.check(op("Resize", "mode", "cubic", "exclude_outside", 1L), new Tensor[] {x, noRoi, scales(1, 1, 0.7f, 2)}, 0);
        GradCheck.check(op("Resize", "mode", "linear", "antialias", 1L), new Tensor[] {GradCheck.random(rnd, 1, 1, 6, 6),
            noRoi, scales(1, 1, 0.5f, 0.5f)}, 0);
        GradCheck.check(op("Resize"), new Tensor[] {x, noRoi, scales(1, 1, 2, 2)}, 0);
    }

    /** Fuzz long run, case 32792 and 4 more: an empty input axis resized to 4 made taps clamp into [0, -1]. */
    @Test
    void resizeRefusesDegenerateSizesAndScales() {
        Tensor empty = Tensor.zeros(Shape.of(1, 1, 0, 2));
        ShapeException e = Assertions.assertThrows(ShapeException.class,
                () -> run(op("Resize"), empty, noRoi, null, longs(1, 1, 4, 4)));
        Assertions.assertTrue(e.getMessage().startsWith("Resize: cannot resize axis 2 of size 0"), e.getMessage());
        // an empty axis may stay empty
        assertShape(run1(op("Resize"), empty, noRoi, null, longs(1, 1, 0, 4)), 1, 1, 0, 4);
        Tensor x = f(dims(1, 1, 2, 2), 1, 2, 3, 4);
        Assertions.assertThrows(ShapeException.class, () -> run(op("Resize"), x, noRoi, null, longs(1, 1, 1L << 40, 2)));
        Assertions.assertThrows(ShapeException.class, () -> run(op("Resize"), x, noRoi, null, longs(1, 1, -3, 2)));
        Assertions.assertThrows(ShapeException.class, () -> run(op("Resize"), x, noRoi, scales(1, 1, Float.POSITIVE_INFINITY, 1)));
        Assertions.assertThrows(ShapeException.class, () -> run(op("Resize"), x, noRoi, scales(1, 1, Float.NaN, 1)));
        Assertions.assertThrows(ShapeException.class, () -> run(op("Resize"), x, noRoi, scales(1, 1, 3e9f, 1)));
        // [1, 100000] -> [100000, 1]: the last axis is resized first, through 10^10 values
        Tensor column = Tensor.zeros(Shape.of(100_000, 1));
        ShapeException mid = Assertions.assertThrows(ShapeException.class,
                () -> run(op("Resize"), column, noRoi, null, longs(1, 100_000)));
        Assertions.assertTrue(mid.getMessage().contains("interpolation after resizing axis 1"), mid.getMessage());
    }

    @Test
    void resizeRejectsUnknownModes() {
        Assertions.assertThrows(UnsupportedOpException.class, () -> op("Resize", "mode", "area"));
        Assertions.assertThrows(UnsupportedOpException.class, () -> op("Resize", "nearest_mode", "random"));
    }

    @Test
    void nonMaxSuppressionByHand() {
        Tensor boxes = f(dims(1, 3, 4), 0, 0, 1, 1, 0, 0.1f, 1, 1.1f, 0, 2, 1, 3);
        Tensor scores = f(dims(1, 1, 3), 0.9f, 0.8f, 0.7f);
        Tensor max = Tensor.ofLongs(Shape.of(1), 10);
        Tensor[] r = run(op("NonMaxSuppression"), boxes, scores, max, Tensor.of(Shape.of(1), 0.5f));
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 2}, r[0].longs());
        // a threshold above their IoU (0.818) keeps the overlapping box too
        r = run(op("NonMaxSuppression"), boxes, scores, max, Tensor.of(Shape.of(1), 0.85f));
        assertArrayEquals(new long[] {0, 0, 0, 0, 0, 1, 0, 0, 2}, r[0].longs());
        r = run(op("NonMaxSuppression"), boxes, scores, max, Tensor.of(Shape.of(1), 0.5f), Tensor.of(Shape.of(1), 0.75f));
        assertArrayEquals(new long[] {0, 0, 0}, r[0].longs());
    }
}
