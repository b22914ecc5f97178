package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueCodingTest {
    private static float[] shared(Random r, int n, int distinct) {
        float[] levels = new float[distinct];
        for (int i = 0; i < distinct; i++) {
            levels[i] = (float) r.nextGaussian();
        }
        levels[0] = -0.0f;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // skewed use of the levels so Huffman has something to gain
            v[i] = levels[Math.min(distinct - 1, (int) Math.abs(r.nextGaussian() * distinct / 4))];
        }
        return v;
    }

    private static void assertSameBits(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "@" + i);
        }
    }

    @Test
    void codebookCodingsRoundTripExactlyWithTheDocumentedSizes() {
        Random r = new Random(7);
        for (int distinct : new int[] {1, 2, 16, 100, 256}) {
            float[] v = shared(r, 3000, distinct);
            int k = ValueCoding.codebook(v).length;
            int b = SparseFormat.bitsFor(k - 1);
            ValueCoding.Encoded fixed = ValueCoding.CODEBOOK.encode(v);
            assertEquals(2 + 4 * k + 1 + (3000L * b + 7) / 8, fixed.bytes().length, "K=" + k);
            assertEquals(2 + 4 * k, fixed.codebookBytes());
            assertSameBits(v, ValueCoding.CODEBOOK.decode(fixed.bytes(), v.length, "t"));
            ValueCoding.Encoded huff = ValueCoding.CODEBOOK_HUFFMAN.encode(v);
            assertSameBits(v, ValueCoding.CODEBOOK_HUFFMAN.decode(huff.bytes(), v.length, "t"));
            assertTrue(huff.huffmanTableBytes() > 0);
            if (k >= 16) {
                assertTrue(huff.bytes().length < fixed.bytes().length, "skewed use: Huffman wins at K=" + k);
            }
        }
        float[] many = new float[300];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        assertNull(ValueCoding.codebook(many), "257+ distinct values: no codebook");
        assertThrows(IllegalArgumentException.class, () -> ValueCoding.CODEBOOK.encode(many));
    }

    @Test
    void floatCodingsAndCorruptLengths() {
        float[] v = {1.5f, -0.0f, Float.intBitsToFloat(0x7fc00001), 3e-8f};
        assertSameBits(v, ValueCoding.FLOAT32.decode(ValueCoding.FLOAT32.encode(v).bytes(), 4, "t"));
        float[] half = ValueCoding.FLOAT16.decode(ValueCoding.FLOAT16.encode(v).bytes(), 4, "t");
        assertEquals(1.5f, half[0]);
        assertEquals(8, ValueCoding.FLOAT16.encode(v).bytes().length);
        byte[] f32 = ValueCoding.FLOAT32.encode(v).bytes();
        assertThrows(InvalidInputException.class, () -> ValueCoding.FLOAT32.decode(f32, 5, "t"));
        byte[] book = ValueCoding.CODEBOOK.encode(shared(new Random(1), 100, 8)).bytes();
        assertThrows(InvalidInputException.class,
                () -> ValueCoding.CODEBOOK.decode(Arrays.copyOf(book, book.length - 1), 100, "t"));
        byte[] huff = ValueCoding.CODEBOOK_HUFFMAN.encode(shared(new Random(1), 100, 8)).bytes();
        assertThrows(InvalidInputException.class,
                () -> ValueCoding.CODEBOOK_HUFFMAN.decode(Arrays.copyOf(huff, huff.length - 2), 100, "t"), "the coded indices end early");
        assertThrows(InvalidInputException.class, () -> ValueCoding.byId(7));
    }
}
