package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TransformTest {
    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        return x;
    }

    @Test
    void normalizeIsPerChannel() {
        Shape s = Shape.of(2, 1, 2);
        float[] out = new float[4];
        Transform.normalize(new Normalization(new float[] {1, 2}, new float[] {2, 4}))
                .apply(new float[] {1, 3, 2, 10}, 0, s, out, 0, new SplittableRandom(1));
        assertArrayEquals(new float[] {0, 1, 0, 2}, out);
        assertThrows(InvalidInputException.class, () -> Transform.normalize(Datasets.CIFAR_NORM)
                .apply(new float[4], 0, s, out, 0, new SplittableRandom(1)));
    }

    @Test
    void flipMirrorsEveryRowOrNothing() {
        Shape s = Shape.of(2, 2, 3);
        float[] x = ramp(12);
        float[] out = new float[12];
        Transform.horizontalFlip(1).apply(x, 0, s, out, 0, new SplittableRandom(3));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}, out);
        Transform.horizontalFlip(0).apply(x, 0, s, out, 0, new SplittableRandom(3));
        assertArrayEquals(x, out);
        int flipped = 0;
        for (int seed = 0; seed < 2000; seed++) {
            Transform.horizontalFlip(0.3).apply(x, 0, s, out, 0, new SplittableRandom(seed));
            flipped += out[0] == 3 ? 1 : 0;
        }
        assertEquals(0.3, flipped / 2000.0, 0.04);
    }

    /** Naive twin: the explicitly zero-padded image, cropped at (top, left) in padded coordinates. */
    private static float[] padThenCrop(float[] x, int c, int h, int w, int pad, int size, int top, int left) {
        int ph = h + 2 * pad;
        int pw = w + 2 * pad;
        float[] padded = new float[c * ph * pw];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    padded[(ch * ph + y + pad) * pw + xx + pad] = x[(ch * h + y) * w + xx];
                }
            }
        }
        float[] out = new float[c * size * size];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < size; y++) {
                for (int xx = 0; xx < size; xx++) {
                    out[(ch * size + y) * size + xx] = padded[(ch * ph + top + y) * pw + left + xx];
                }
            }
        }
        return out;
    }

    @Test
    void randomCropIsAWindowOfTheZeroPaddedImageAndCoversAllOffsets() {
        int c = 2;
        int h = 5;
        int w = 4;
        int pad = 2;
        int size = 4;
        float[] x = ramp(c * h * w);
        Transform crop = Transform.randomCrop(size, pad);
        assertEquals(Shape.of(c, size, size), crop.outputShape(Shape.of(c, h, w)));
        Set<Long> seen = new HashSet<>();
        for (int seed = 0; seed < 600; seed++) {
            float[] out = new float[c * size * size];
            crop.apply(x, 0, Shape.of(c, h, w), out, 0, new SplittableRandom(seed));
            long match = -1;
            for (int top = 0; top <= h + 2 * pad - size && match < 0; top++) {
                for (int left = 0; left <= w + 2 * pad - size; left++) {
                    if (java.util.Arrays.equals(out, padThenCrop(x, c, h, w, pad, size, top, left))) {
                        match = top * 100L + left;
                        break;
                    }
                }
            }
            assertTrue(match >= 0, "seed " + seed + " gave no window of the padded image");
            seen.add(match);
        }
        assertEquals((h + 2 * pad - size + 1) * (w + 2 * pad - size + 1), seen.size());
        assertThrows(InvalidInputException.class, () -> Transform.randomCrop(10, 1).outputShape(Shape.of(1, 5, 5)));
    }

    @Test
    void compositionAppliesStepsInOrderAndIsSeeded() {
        Shape s = Shape.of(1, 3, 3);
        float[] x = ramp(9);
        Normalization n = Normalization.uniform(1, 1, 2);
        Transform t = Transform.horizontalFlip(1).andThen(Transform.normalize(n));
        float[] out = new float[9];
        t.apply(x, 0, s, out, 0, new SplittableRandom(0));
        float[] flipped = new float[9];
        Transform.horizontalFlip(1).apply(x, 0, s, flipped, 0, new SplittableRandom(0));
        for (int i = 0; i < 9; i++) {
            assertEquals((flipped[i] - 1) / 2, out[i], 1e-6f);
        }
        Transform random = Transform.randomCrop(3, 1).andThen(Transform.horizontalFlip(0.5));
        float[] a = new float[9];
        float[] b = new float[9];
        random.apply(x, 0, s, a, 0, new SplittableRandom(42));
        random.apply(x, 0, s, b, 0, new SplittableRandom(42));
        assertArrayEquals(a, b);
    }
}
