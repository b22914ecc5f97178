package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedCodebookTest {
    /** K centroids spread evenly over [lo, hi] with a little noise, as k-means with linear init leaves them. */
    private static float[] centroids(Random r, int k, double lo, double hi) {
        float[] c = new float[k];
        for (int i = 0; i < k; i++) {
            c[i] = (float) (lo + (hi - lo) * (i + 0.3 * r.nextDouble()) / k);
        }
        return c;
    }

    @Test
    void roundTripsEveryBitPatternExactly() {
        Random r = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            int k = trial < 3 ? trial : 1 + r.nextInt(256);
            float[] v = new float[k];
            for (int i = 0; i < k; i++) {
                // any bits at all: NaNs, infinities, -0.0, subnormals, values of both signs
                v[i] = Float.intBitsToFloat(trial % 2 == 0 ? r.nextInt() : Float.floatToRawIntBits((float) r.nextGaussian()));
            }
            int[] book = k == 0 ? new int[0] : ValueCoding.codebook(v);
            byte[] packed = PackedCodebook.encode(book);
            assertArrayEquals(book, PackedCodebook.decode(packed, book.length, "t"), "trial " + trial);
        }
        int[] extremes = {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE};
        assertArrayEquals(extremes, PackedCodebook.decode(PackedCodebook.encode(extremes), 4, "t"));
    }

    @Test
    void centroidsOfOneLayerTakeFewerBitsThanRawFloats() {
        Random r = new Random(5);
        for (int k : new int[] {32, 64, 256}) {
            float[] c = centroids(r, k, -0.4, 0.6);
            int[] book = ValueCoding.codebook(c);
            int bytes = PackedCodebook.encode(book).length;
            // neighbouring centroids share sign, exponent and top mantissa bits: well under 32 bits an entry
            assertTrue(bytes * 8.0 / k < (k >= 256 ? 23 : 28), "K=" + k + ": " + bytes * 8.0 / k + " bits an entry");
        }
    }

    @Test
    void packedCodingsRoundTripAndWinOnSharedWeights() {
        Random r = new Random(9);
        float[] levels = centroids(r, 256, -0.3, 0.3);
        float[] v = new float[5000];
        for (int i = 0; i < v.length; i++) {
            v[i] = levels[Math.min(255, (int) Math.abs(r.nextGaussian() * 64))];
        }
        int k = ValueCoding.codebook(v).length;
        for (ValueCoding c : new ValueCoding[] {ValueCoding.CODEBOOK_PACKED, ValueCoding.CODEBOOK_PACKED_HUFFMAN}) {
            ValueCoding.Encoded e = c.encode(v);
            float[] back = c.decode(e.bytes(), v.length, "t");
            for (int i = 0; i < v.length; i++) {
                assertEquals(Float.floatToRawIntBits(v[i]), Float.floatToRawIntBits(back[i]), c + " @" + i);
            }
            ValueCoding plain = c == ValueCoding.CODEBOOK_PACKED ? ValueCoding.CODEBOOK : ValueCoding.CODEBOOK_HUFFMAN;
            ValueCoding.Encoded p = plain.encode(v);
            // the same indices after the codebook: the saving is exactly the codebook's
            assertEquals(p.bytes().length - p.codebookBytes(), e.bytes().length - e.codebookBytes(), c.name());
            assertTrue(e.codebookBytes() < p.codebookBytes() * 0.75, c + ": " + e.codebookBytes() + " vs " + p.codebookBytes());
            assertEquals(2 + 2 + PackedCodebook.encode(ValueCoding.codebook(v)).length, e.codebookBytes());
        }
        assertTrue(k > 150, "K=" + k + ": a conv layer's 8-bit codebook, mostly used");
    }

    @Test
    void corruptPackedCodebooksAreUserErrors() {
        int[] book = ValueCoding.codebook(centroids(new Random(1), 64, -1, 1));
        byte[] packed = PackedCodebook.encode(book);
        assertThrows(InvalidInputException.class, () -> PackedCodebook.decode(Arrays.copyOf(packed, packed.length - 1), 64, "t"));
        assertThrows(InvalidInputException.class, () -> PackedCodebook.decode(Arrays.copyOf(packed, packed.length + 1), 64, "t"),
                "trailing bytes");
        // entries that would climb past Integer.MAX_VALUE
        int[] high = {Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        byte[] p = PackedCodebook.encode(high);
        assertThrows(InvalidInputException.class, () -> PackedCodebook.decode(p, 3, "t"));
        assertThrows(IllegalArgumentException.class, () -> PackedCodebook.encode(new int[] {5, 5}));
    }
}
