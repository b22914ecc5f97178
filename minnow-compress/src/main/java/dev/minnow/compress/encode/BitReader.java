package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;

/** Reads what {@link BitWriter} wrote; running past the end is corrupt input, named by {@code what}. */
final class BitReader {
    private final byte[] bytes;
    private final long bitLimit;
    private final String what;
    private long position;

    BitReader(byte[] bytes, String what) {
        this.bytes = bytes;
        this.bitLimit = (long) bytes.length * 8;
        this.what = what;
    }

    /** The next {@code bits} (0 to 32) bits as an unsigned value, highest first. */
    int read(int bits) {
        if (position + bits > bitLimit) {
            throw new InvalidInputException(what + " ends early (" + bytes.length + " bytes); the file is corrupt");
        }
        long v = 0;
        int left = bits;
        while (left > 0) {
            int byteIndex = (int) (position >>> 3);
            int offset = (int) (position & 7);
            int take = Math.min(8 - offset, left);
            int chunk = ((bytes[byteIndex] & 0xFF) >>> (8 - offset - take)) & ((1 << take) - 1);
            v = (v << take) | chunk;
            position += take;
            left -= take;
        }
        return (int) v;
    }

    int readBit() {
        if (position >= bitLimit) {
            throw new InvalidInputException(what + " ends early (" + bytes.length + " bytes); the file is corrupt");
        }
        int bit = (bytes[(int) (position >>> 3)] >>> (7 - (position & 7))) & 1;
        position++;
        return bit;
    }

    long position() {
        return position;
    }
}
