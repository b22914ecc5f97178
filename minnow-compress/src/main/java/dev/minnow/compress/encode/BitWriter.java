package dev.minnow.compress.encode;

import java.util.Arrays;

/** Packs values of 0 to 32 bits, most significant bit first, into a growing byte array. */
final class BitWriter {
    private byte[] bytes = new byte[64];
    private int byteCount;
    /** Bits not yet moved to {@code bytes}: the low {@code pending} bits, fewer than 8 between calls. */
    private long acc;
    private int pending;

    /** Appends the low {@code bits} bits of {@code value}, highest first. */
    void write(int value, int bits) {
        if (bits < 0 || bits > 32) {
            throw new IllegalArgumentException("bits " + bits + " outside 0..32");
        }
        if (bits == 0) {
            return;
        }
        acc = (acc << bits) | (value & (0xFFFFFFFFL >>> (32 - bits)));
        pending += bits;
        while (pending >= 8) {
            if (byteCount == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            pending -= 8;
            bytes[byteCount++] = (byte) (acc >>> pending);
        }
        acc &= (1L << pending) - 1;
    }

    void writeBit(int bit) {
        write(bit & 1, 1);
    }

    long bitCount() {
        return 8L * byteCount + pending;
    }

    /** The bits written so far, the last byte padded with zero bits. */
    byte[] toBytes() {
        byte[] r = Arrays.copyOf(bytes, byteCount + (pending > 0 ? 1 : 0));
        if (pending > 0) {
            r[byteCount] = (byte) (acc << (8 - pending));
        }
        return r;
    }
}
