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

    int read(int bits) {
        int v = 0;
        for (int i = 0; i < bits; i++) {
            v = (v << 1) | readBit();
        }
        return v;
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
