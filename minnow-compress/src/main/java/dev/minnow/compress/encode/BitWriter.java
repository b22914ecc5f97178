package dev.minnow.compress.encode;

import java.util.Arrays;

/** Packs values of 1 to 32 bits, most significant bit first, into a growing byte array. */
final class BitWriter {
    private byte[] bytes = new byte[64];
    private long bitCount;

    /** Appends the low {@code bits} bits of {@code value}, highest first. */
    void write(int value, int bits) {
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("bits " + bits + " outside 0..32");
        }
        for (int b = bits - 1; b >= 0; b--) {
            writeBit((value >>> b) & 1);
        }
    }

    void writeBit(int bit) {
        int byteIndex = (int) (bitCount >>> 3);
        if (byteIndex == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        if (bit != 0) {
            bytes[byteIndex] |= (byte) (0x80 >>> (bitCount & 7));
        }
        bitCount++;
    }

    long bitCount() {
        return bitCount;
    }

    /** The bits written so far, the last byte padded with zero bits. */
    byte[] toBytes() {
        return Arrays.copyOf(bytes, (int) ((bitCount + 7) >>> 3));
    }
}
