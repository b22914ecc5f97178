package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;

/**
 * A codebook (distinct float bit patterns, ascending as signed ints) written as gaps instead of
 * 4 bytes an entry. Weight sharing leaves K centroids spread over one layer's range, so
 * neighbouring entries share their sign, exponent and top mantissa bits: the gap between their
 * bit patterns has about 16-20 significant bits, not 32. The layout (bits, most significant first):
 * <pre>
 * first entry           32 bits
 * Huffman table         of the gaps' bit lengths L = 1..32 (alphabet 33), only when K >= 2
 * per later entry       the code of L, then the gap's L - 1 bits below its leading 1
 * </pre>
 * padded to a byte. The gap is the unsigned difference to the previous entry (at least 1: the
 * entries are distinct), so the sign change between the last negative and the first positive
 * entry costs one long gap and nothing else. Lossless: the decoded entries are the same bits.
 */
final class PackedCodebook {
    private static final int LENGTH_SYMBOLS = 33;

    private PackedCodebook() {
    }

    static byte[] encode(int[] book) {
        BitWriter out = new BitWriter();
        if (book.length == 0) {
            return out.toBytes();
        }
        out.write(book[0], 32);
        if (book.length == 1) {
            return out.toBytes();
        }
        int[] lengths = new int[book.length - 1];
        long[] gaps = new long[book.length - 1];
        for (int i = 1; i < book.length; i++) {
            long gap = (long) book[i] - book[i - 1];
            if (gap <= 0) {
                throw new IllegalArgumentException("codebook entries must be distinct and ascending");
            }
            gaps[i - 1] = gap;
            lengths[i - 1] = 64 - Long.numberOfLeadingZeros(gap);
        }
        Huffman code = Huffman.build(Huffman.frequencies(lengths, LENGTH_SYMBOLS));
        code.writeTable(out);
        for (int i = 0; i < gaps.length; i++) {
            code.encode(new int[] {lengths[i]}, out);
            int low = lengths[i] - 1;
            out.write((int) gaps[i], low); // write keeps the low bits, so the leading 1 is dropped
        }
        return out.toBytes();
    }

    static int[] decode(byte[] bytes, int k, String what) {
        int[] book = new int[k];
        if (k == 0) {
            return book;
        }
        BitReader in = new BitReader(bytes, what + " codebook");
        book[0] = in.read(32);
        if (k > 1) {
            Huffman code = Huffman.readTable(in);
            if (code.alphabetSize() != LENGTH_SYMBOLS) {
                throw new InvalidInputException(what + ": codebook gap table for " + code.alphabetSize()
                        + " lengths, expected " + LENGTH_SYMBOLS + "; the file is corrupt");
            }
            long previous = book[0];
            for (int i = 1; i < k; i++) {
                int length = code.decode(in, 1, what + " codebook")[0];
                if (length == 0) {
                    throw new InvalidInputException(what + ": a codebook gap of 0 bits; the file is corrupt");
                }
                long gap = (1L << (length - 1)) | (length > 1 ? Integer.toUnsignedLong(in.read(length - 1)) : 0);
                long value = previous + gap;
                if (value > Integer.MAX_VALUE) {
                    throw new InvalidInputException(what + ": codebook entries run past the largest float bit"
                            + " pattern; the file is corrupt");
                }
                book[i] = (int) value;
                previous = value;
            }
        }
        if ((in.position() + 7) / 8 != bytes.length) {
            throw new InvalidInputException(what + ": packed codebook of " + bytes.length + " bytes, its entries use "
                    + (in.position() + 7) / 8 + "; the file is corrupt");
        }
        return book;
    }
}
