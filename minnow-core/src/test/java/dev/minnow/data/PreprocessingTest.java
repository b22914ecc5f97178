package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
    /** One 2x1x2 RGB image: channel c, pixel p holds (c + 1) / 10 + p / 100. */
    private static Tensor image() {
        return Tensor.of(Shape.of(1, 3, 1, 2), 0.10f, 0.11f, 0.20f, 0.21f, 0.30f, 0.31f);
    }

    @Test
    void scaleMeanStdBgrAndNhwcByHand() {
        Preprocessing p = new Preprocessing(255, new double[] {1, 2, 3}, new double[] {2, 2, 2}, true, true, 0, false);
        Tensor y = p.apply(image());
        assertEquals(Shape.of(1, 1, 2, 3), y.shape());
        // output channel 0 reads input channel 2 (BGR), pixel 0: (0.30 * 255 - 1) / 2
        float[] expected = {
            (0.30f * 255 - 1) / 2, (0.20f * 255 - 2) / 2, (0.10f * 255 - 3) / 2,
            (0.31f * 255 - 1) / 2, (0.21f * 255 - 2) / 2, (0.11f * 255 - 3) / 2};
        assertArrayEquals(expected, y.floats(), 1e-4f);
    }

    @Test
    void uint8RoundsAndClamps() {
        Preprocessing p = new Preprocessing(1000, new double[] {0}, new double[] {1}, false, false, 0, true);
        Tensor y = p.apply(Tensor.of(Shape.of(1, 1, 1, 3), 0.0001f, 0.1005f, 0.9f));
        assertEquals(DType.UINT8, y.dtype());
        assertEquals(0, y.bytes()[0] & 0xff);
        assertEquals(101, y.bytes()[1] & 0xff);
        assertEquals(255, y.bytes()[2] & 0xff, "900 saturates at 255");
    }

    @Test
    void bilinearResizeOfAConstantAndARamp() {
        float[] ramp = {0, 1, 2, 3};
        float[] up = Preprocessing.resizeBilinear(ramp, 1, 1, 1, 4, 1, 8);
        // half-pixel centres: output x maps to (x + 0.5) / 2 - 0.5, clamped at the borders
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3}, up, 1e-6f);
        float[] flat = Preprocessing.resizeBilinear(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, 1, 1, 2, 2, 5, 5);
        for (float v : flat) {
            assertEquals(0.5f, v, 1e-6f);
        }
    }

    @Test
    void metadataRoundTripAndWindowsMlKeys() {
        Preprocessing p = new Preprocessing(255, new double[] {103.9, 116.8, 123.7}, new double[] {1}, true, false, 224, false);
        Preprocessing q = Preprocessing.fromMetadata(p.toMetadata());
        assertEquals(p.scale(), q.scale());
        assertArrayEquals(p.mean(), q.mean());
        assertEquals(p.bgr(), q.bgr());
        assertEquals(224, q.resize());
        Preprocessing winml = Preprocessing.fromMetadata(Map.of("Image.NominalPixelRange", "NominalRange_0_255",
                "Image.BitmapPixelFormat", "Gray8"));
        assertEquals(255, winml.scale());
        assertNull(Preprocessing.fromMetadata(Map.of("other", "x")));
    }

    @Test
    void badValuesAreUserErrors() {
        assertThrows(InvalidInputException.class, () -> new Preprocessing(0, new double[] {0}, new double[] {1}, false, false, 0, false));
        assertThrows(InvalidInputException.class, () -> new Preprocessing(1, new double[] {0}, new double[] {0}, false, false, 0, false));
        assertThrows(InvalidInputException.class, () -> Preprocessing.parse("1,a"));
    }

    @Test
    void numbersInMetadataThatDoNotParseNameTheKeyAndValue() {
        Map<String, String> good = Preprocessing.none().toMetadata();
        String[][] bad = {{"scale", "abc"}, {"mean", "0.5,x"}, {"std", ""}, {"resize", "12.5"}, {"resize", "big"}};
        for (String[] kv : bad) {
            Map<String, String> md = new HashMap<>(good);
            md.put(Preprocessing.PREFIX + kv[0], kv[1]);
            InvalidInputException e = assertThrows(
                    InvalidInputException.class, () -> Preprocessing.fromMetadata(md));
            assertTrue(e.getMessage().contains(Preprocessing.PREFIX + kv[0])
                    && e.getMessage().contains("'" + kv[1] + "'"), e.getMessage());
        }
        Map<String, String> missing = new HashMap<>(good);
        missing.remove(Preprocessing.PREFIX + "std");
        assertThrows(InvalidInputException.class,
                () -> Preprocessing.fromMetadata(missing));
        Map<String, String> negative = new HashMap<>(good);
        negative.put(Preprocessing.PREFIX + "scale", "-1");
        String msg = assertThrows(InvalidInputException.class,
                () -> Preprocessing.fromMetadata(negative)).getMessage();
        assertTrue(msg.contains("metadata"), msg);
    }

    @Test
    void forTrainingMatchesApplyOnRandomImages() {
        java.util.Random r = new java.util.Random(5);
        int n = 3;
        Shape shape = Shape.of(3, 7, 5);
        byte[] pixels = new byte[n * shape.sizeInt()];
        r.nextBytes(pixels);
        Dataset d = new ByteImageDataset(pixels, new byte[] {0, 1, 1}, shape, java.util.List.of("a", "b"));
        DatasetSplit split = new DatasetSplit("t", d, d, Normalization.uniform(3, 0.5f, 0.25f));
        for (boolean bgr : new boolean[] {false, true}) {
            for (int resize : new int[] {0, 4, 9}) {
                Preprocessing p = new Preprocessing(255, new double[] {120, 110, 100}, new double[] {60, 50, 40}, bgr,
                        false, resize, false);
                DatasetSplit t = p.forTraining(split);
                int side = resize > 0 ? resize : 7;
                assertEquals(Shape.of(3, side, resize > 0 ? resize : 5), t.train().sampleShape());
                Normalization norm = t.normalization();
                for (int i = 0; i < n; i++) {
                    float[] x = new float[shape.sizeInt()];
                    d.copySample(i, x, 0);
                    float[] expected = p.apply(Tensor.of(Shape.of(1, 3, 7, 5), x)).floats();
                    float[] got = new float[t.train().sampleShape().sizeInt()];
                    t.train().copySample(i, got, 0);
                    norm.applyInPlace(got, 0, got.length / 3);
                    assertArrayEquals(expected, got, 1e-4f, "bgr " + bgr + ", resize " + resize);
                    assertEquals(d.label(i), t.train().label(i));
                }
            }
        }
        assertThrows(InvalidInputException.class, () -> new Preprocessing(1, new double[] {0}, new double[] {1}, false,
                true, 0, false).forTraining(split));
    }
}
