package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * How a layer's stored values are written, in the order of its sparse index. The value bytes
 * (big-endian) are, per coding:
 * <pre>
 * FLOAT32           n x 4 bytes   raw float bits
 * FLOAT16           n x 2 bytes   IEEE half (lossy: only when asked for)
 * CODEBOOK          u16 K | K x 4 codebook | u8 bits b | ceil(n*b/8) bytes of b-bit indices
 * CODEBOOK_HUFFMAN  u16 K | K x 4 codebook | u8 bits b | u16 T | T bytes Huffman table | Huffman-coded indices
 * CODEBOOK_PACKED           as CODEBOOK, with the K x 4 codebook replaced by u16 P | P bytes of {@link PackedCodebook}
 * CODEBOOK_PACKED_HUFFMAN   as CODEBOOK_HUFFMAN, with the codebook packed the same way
 * </pre>
 * A codebook is exact: it lists the distinct bit patterns of the values, so a layer that weight
 * sharing left with at most {@link #MAX_CODEBOOK} values is stored as indices, bit for bit.
 */
public enum ValueCoding {
    FLOAT32, FLOAT16, CODEBOOK, CODEBOOK_HUFFMAN, CODEBOOK_PACKED, CODEBOOK_PACKED_HUFFMAN;

    public static final int MAX_CODEBOOK = 256;

    /** The bytes and how many of them are codebook and Huffman table (the rest are values). */
    public record Encoded(ValueCoding coding, byte[] bytes, int codebookBytes, int huffmanTableBytes) {
    }

    /** The codings that store a codebook, in the order ties are broken. */
    static final java.util.List<ValueCoding> CODEBOOKS = java.util.List.of(CODEBOOK, CODEBOOK_HUFFMAN, CODEBOOK_PACKED,
            CODEBOOK_PACKED_HUFFMAN);

    private boolean packed() {
        return this == CODEBOOK_PACKED || this == CODEBOOK_PACKED_HUFFMAN;
    }

    private boolean huffman() {
        return this == CODEBOOK_HUFFMAN || this == CODEBOOK_PACKED_HUFFMAN;
    }

    public int id() {
        return ordinal();
    }

    static ValueCoding byId(int id) {
        if (id < 0 || id >= values().length) {
            throw new InvalidInputException("unknown value coding " + id + "; the file is corrupt or was written"
                    + " by a newer Minnow");
        }
        return values()[id];
    }

    /** The distinct bit patterns among the values, ascending as ints, or null if more than MAX_CODEBOOK. */
    static int[] codebook(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        Arrays.sort(bits);
        int k = 0;
        for (int i = 0; i < bits.length; i++) {
            if (i == 0 || bits[i] != bits[i - 1]) {
                if (k == MAX_CODEBOOK) {
                    return null;
                }
                bits[k++] = bits[i];
            }
        }
        return Arrays.copyOf(bits, k);
    }

    /** Writes {@code values} with this coding; a codebook coding needs at most MAX_CODEBOOK distinct values. */
    public Encoded encode(float[] values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            switch (this) {
                case FLOAT32 -> {
                    ByteBuffer b = ByteBuffer.allocate(4 * values.length);
                    for (float v : values) {
                        b.putInt(Float.floatToRawIntBits(v));
                    }
                    return new Encoded(this, b.array(), 0, 0);
                }
                case FLOAT16 -> {
                    for (float v : values) {
                        out.writeShort(Float.floatToFloat16(v));
                    }
                }
                case CODEBOOK, CODEBOOK_HUFFMAN, CODEBOOK_PACKED, CODEBOOK_PACKED_HUFFMAN -> {
                    int[] book = codebook(values);
                    if (book == null) {
                        throw new IllegalArgumentException("more than " + MAX_CODEBOOK + " distinct values");
                    }
                    out.writeShort(book.length);
                    int codebookBytes;
                    if (packed()) {
                        byte[] p = PackedCodebook.encode(book);
                        out.writeShort(p.length);
                        out.write(p);
                        codebookBytes = 2 + 2 + p.length;
                    } else {
                        for (int b : book) {
                            out.writeInt(b);
                        }
                        codebookBytes = 2 + 4 * book.length;
                    }
                    int indexBits = SparseFormat.bitsFor(book.length - 1);
                    out.writeByte(indexBits);
                    int[] symbols = new int[values.length];
                    for (int i = 0; i < values.length; i++) {
                        symbols[i] = Arrays.binarySearch(book, Float.floatToRawIntBits(values[i]));
                    }
                    int tableBytes = 0;
                    BitWriter bits = new BitWriter();
                    if (!huffman()) {
                        for (int s : symbols) {
                            bits.write(s, indexBits);
                        }
                    } else {
                        Huffman code = Huffman.build(Huffman.frequencies(symbols, book.length));
                        BitWriter table = new BitWriter();
                        code.writeTable(table);
                        byte[] t = table.toBytes();
                        out.writeShort(t.length);
                        out.write(t);
                        tableBytes = 2 + t.length;
                        code.encode(symbols, bits);
                    }
                    out.write(bits.toBytes());
                    out.flush();
                    return new Encoded(this, bytes.toByteArray(), codebookBytes, tableBytes);
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return new Encoded(this, bytes.toByteArray(), 0, 0);
    }

    /** Reads {@code count} values back; every length is checked against the bytes there are. */
    public float[] decode(byte[] bytes, int count, String what) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        float[] r = new float[count];
        try {
            switch (this) {
                case FLOAT32 -> {
                    expect(bytes.length == 4L * count, what, bytes.length, 4L * count);
                    for (int i = 0; i < count; i++) {
                        r[i] = Float.intBitsToFloat(in.getInt());
                    }
                }
                case FLOAT16 -> {
                    expect(bytes.length == 2L * count, what, bytes.length, 2L * count);
                    for (int i = 0; i < count; i++) {
                        r[i] = Float.float16ToFloat(in.getShort());
                    }
                }
                case CODEBOOK, CODEBOOK_HUFFMAN, CODEBOOK_PACKED, CODEBOOK_PACKED_HUFFMAN -> {
                    int k = Short.toUnsignedInt(in.getShort());
                    if (k == 0 && count > 0 || k > MAX_CODEBOOK) {
                        throw new InvalidInputException(what + ": codebook of " + k + " entries for " + count
                                + " values; the file is corrupt");
                    }
                    float[] book = new float[k];
                    if (packed()) {
                        byte[] p = new byte[Short.toUnsignedInt(in.getShort())];
                        in.get(p);
                        int[] entries = PackedCodebook.decode(p, k, what);
                        for (int i = 0; i < k; i++) {
                            book[i] = Float.intBitsToFloat(entries[i]);
                        }
                    } else {
                        for (int i = 0; i < k; i++) {
                            book[i] = Float.intBitsToFloat(in.getInt());
                        }
                    }
                    int indexBits = in.get();
                    if (indexBits != SparseFormat.bitsFor(k - 1)) {
                        throw new InvalidInputException(what + ": " + indexBits + " bits per index for a codebook of "
                                + k + "; the file is corrupt");
                    }
                    int[] symbols;
                    if (!huffman()) {
                        byte[] rest = new byte[in.remaining()];
                        in.get(rest);
                        expect(rest.length == ((long) count * indexBits + 7) / 8, what, rest.length,
                                ((long) count * indexBits + 7) / 8);
                        BitReader bits = new BitReader(rest, what);
                        symbols = new int[count];
                        for (int i = 0; i < count; i++) {
                            symbols[i] = bits.read(indexBits);
                        }
                    } else {
                        byte[] table = new byte[Short.toUnsignedInt(in.getShort())];
                        in.get(table);
                        Huffman code = Huffman.readTable(new BitReader(table, what + " Huffman table"));
                        if (code.alphabetSize() != k) {
                            throw new InvalidInputException(what + ": Huffman table for " + code.alphabetSize()
                                    + " symbols, codebook of " + k + "; the file is corrupt");
                        }
                        byte[] rest = new byte[in.remaining()];
                        in.get(rest);
                        BitReader bits = new BitReader(rest, what);
                        symbols = code.decode(bits, count, what);
                        expect((bits.position() + 7) / 8 == rest.length, what, rest.length, (bits.position() + 7) / 8);
                    }
                    for (int i = 0; i < count; i++) {
                        if (symbols[i] >= k) {
                            throw new InvalidInputException(what + ": index " + symbols[i] + " outside a codebook of "
                                    + k + "; the file is corrupt");
                        }
                        r[i] = book[symbols[i]];
                    }
                }
            }
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new InvalidInputException(what + ": value data ends early; the file is corrupt", e);
        }
        return r;
    }

    private static void expect(boolean ok, String what, long bytes, long expected) {
        if (!ok) {
            throw new InvalidInputException(what + ": " + bytes + " value bytes, expected " + expected
                    + "; the file is corrupt");
        }
    }
}
