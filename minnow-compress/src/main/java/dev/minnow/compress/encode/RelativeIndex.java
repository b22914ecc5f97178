package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;

/**
 * Deep Compression's relative index (Han et al. 2016, section 3): each stored value carries the
 * number of zeros before it since the previous stored value, in k bits. A run longer than
 * 2^k - 1 zeros cannot be written, so a filler entry is stored at the zero that ends the
 * longest writable run: its gap is 2^k - 1 and its value is that zero. Fillers therefore cost
 * a value too; the layer encoder weighs that against narrower gaps. The gaps are written in k
 * bits each, or Huffman coded ({@code huffman}); the index bytes start with k and the coding.
 */
public record RelativeIndex(int gapBits, boolean huffman) implements SparseFormat {
    public static final int MAX_GAP_BITS = 12;

    public RelativeIndex {
        if (gapBits < 1 || gapBits > MAX_GAP_BITS) {
            throw new IllegalArgumentException("gap bits " + gapBits + " outside 1.." + MAX_GAP_BITS);
        }
    }

    static RelativeIndex of(int gapBits, boolean huffman) {
        if (gapBits < 1 || gapBits > MAX_GAP_BITS) {
            throw new InvalidInputException("relative-index gap width " + gapBits + " outside 1.." + MAX_GAP_BITS
                    + "; the file is corrupt");
        }
        return new RelativeIndex(gapBits, huffman);
    }

    public int id() {
        return huffman ? 5 : 4;
    }

    @Override
    public int parameter() {
        return gapBits;
    }

    public String label() {
        return "relative-index k=" + gapBits + (huffman ? " huffman" : "");
    }

    /** The gap of every stored entry (fillers included); stored positions go to {@code positionsOut}. */
    int[] gaps(float[] w, int[] positionsOut, int[] countOut) {
        int maxGap = (1 << gapBits) - 1;
        int[] gaps = new int[16];
        int n = 0;
        int run = 0;
        int last = w.length - 1;
        while (last >= 0 && SparseFormat.isZero(w[last])) {
            last--; // zeros after the last value need no entries, fillers included
        }
        for (int i = 0; i <= last; i++) {
            boolean filler = run == maxGap;
            if (SparseFormat.isZero(w[i]) && !filler) {
                run++;
                continue;
            }
            if (n == gaps.length) {
                gaps = java.util.Arrays.copyOf(gaps, n * 2);
            }
            if (positionsOut != null) {
                positionsOut[n] = i;
            }
            gaps[n++] = run;
            run = 0;
        }
        countOut[0] = n;
        return java.util.Arrays.copyOf(gaps, n);
    }

    /** Entries stored, fillers included: also the number of values this format stores. */
    @Override
    public int storedCount(float[] w) {
        int[] count = new int[1];
        gaps(w, null, count);
        return count[0];
    }

    public SparseIndex encode(float[] w, int rows, int cols) {
        int[] count = new int[1];
        int[] positions = new int[storedCount(w)];
        int[] gaps = gaps(w, positions, count);
        BitWriter out = new BitWriter();
        out.write(gapBits, 8);
        out.write(huffman ? 1 : 0, 8);
        if (huffman) {
            Huffman code = Huffman.build(Huffman.frequencies(gaps, 1 << gapBits));
            code.writeTable(out);
            code.encode(gaps, out);
        } else {
            for (int g : gaps) {
                out.write(g, gapBits);
            }
        }
        return new SparseIndex(this, positions, out.toBytes());
    }

    public int[] decode(byte[] index, int rows, int cols, int storedCount) {
        BitReader in = new BitReader(index, "relative index");
        int k = in.read(8);
        int coding = in.read(8);
        if (k != gapBits || coding != (huffman ? 1 : 0)) {
            throw new InvalidInputException("relative index says k=" + k + " coding " + coding + ", the layer says "
                    + label() + "; the file is corrupt");
        }
        int[] gaps;
        if (huffman) {
            Huffman code = Huffman.readTable(in);
            if (code.alphabetSize() != 1 << gapBits) {
                throw new InvalidInputException("relative-index Huffman table has " + code.alphabetSize()
                        + " symbols for k=" + gapBits + "; the file is corrupt");
            }
            gaps = code.decode(in, storedCount, "relative index");
        } else {
            gaps = new int[storedCount];
            for (int i = 0; i < storedCount; i++) {
                gaps[i] = in.read(gapBits);
            }
        }
        if ((in.position() + 7) / 8 != index.length) {
            throw new InvalidInputException("relative index has " + index.length + " bytes, its entries use "
                    + (in.position() + 7) / 8 + "; the file is corrupt");
        }
        long n = (long) rows * cols;
        int[] positions = new int[storedCount];
        long p = -1;
        for (int i = 0; i < storedCount; i++) {
            p += gaps[i] + 1L;
            if (p >= n) {
                throw new InvalidInputException("relative index runs past the layer's " + n
                        + " elements; the file is corrupt");
            }
            positions[i] = (int) p;
        }
        return positions;
    }

    public long byteSize(float[] w, int rows, int cols) {
        int[] count = new int[1];
        int[] gaps = gaps(w, null, count);
        long bits = 16;
        if (huffman) {
            long[] freq = Huffman.frequencies(gaps, 1 << gapBits);
            Huffman code = Huffman.build(freq);
            bits += code.tableBits() + code.payloadBits(freq);
        } else {
            bits += (long) gaps.length * gapBits;
        }
        return (bits + 7) / 8;
    }
}
