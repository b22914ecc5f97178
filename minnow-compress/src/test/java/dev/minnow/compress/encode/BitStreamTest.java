package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.InvalidInputException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time bit packing against a naive one-bit-at-a-time twin. */
class BitStreamTest {
    /** Naive twin: one bit per step into a boolean list. */
    private static byte[] naive(int[] values, int[] widths) {
        java.util.List<Boolean> bits = new java.util.ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            for (int b = widths[i] - 1; b >= 0; b--) {
                bits.add(((values[i] >>> b) & 1) == 1);
            }
        }
        byte[] r = new byte[(bits.size() + 7) / 8];
        for (int i = 0; i < bits.size(); i++) {
            if (bits.get(i)) {
                r[i / 8] |= (byte) (0x80 >>> (i % 8));
            }
        }
        return r;
    }

    @Test
    void randomWidthsMatchTheNaiveTwinAndReadBack() {
        Random r = new Random(17);
        for (int trial = 0; trial < 50; trial++) {
            int n = r.nextInt(300);
            int[] values = new int[n];
            int[] widths = new int[n];
            BitWriter w = new BitWriter();
            long bits = 0;
            for (int i = 0; i < n; i++) {
                widths[i] = r.nextInt(33);
                values[i] = r.nextInt(); // high bits beyond the width must be ignored
                w.write(values[i], widths[i]);
                bits += widths[i];
                assertEquals(bits, w.bitCount());
            }
            byte[] bytes = w.toBytes();
            assertArrayEquals(naive(values, widths), bytes);
            BitReader in = new BitReader(bytes, "t");
            for (int i = 0; i < n; i++) {
                int mask = widths[i] == 32 ? -1 : (1 << widths[i]) - 1;
                assertEquals(values[i] & mask, in.read(widths[i]), "value " + i);
            }
            assertEquals(bits, in.position());
        }
    }

    @Test
    void readingPastTheEndIsInvalidInput() {
        BitReader in = new BitReader(new byte[] {(byte) 0xAB}, "t");
        assertEquals(0xA, in.read(4));
        assertThrows(InvalidInputException.class, () -> in.read(5));
        assertEquals(0xB, in.read(4));
        assertThrows(InvalidInputException.class, in::readBit);
    }
}
