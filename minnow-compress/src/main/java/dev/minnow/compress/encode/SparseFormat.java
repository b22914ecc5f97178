package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;

/**
 * How the positions of a layer's nonzero weights are written. Every format sees the weight as a
 * 2-D [rows, cols] view (rows = the first dimension, cols = the product of the rest, so a conv
 * weight [out, in, kh, kw] is [out, in*kh*kw]; a vector is [1, n]). A weight counts as zero only
 * when its bits are those of +0.0, so -0.0 and NaN are kept and the round trip is bit-exact.
 * Values are not part of the format: they are stored in the order of {@link SparseIndex#positions()}.
 */
public sealed interface SparseFormat permits SparseFormat.Dense, SparseFormat.Bitmask, RelativeIndex, CompressedSparse {
    /** The format's byte in the .mnz layer section. */
    int id();

    String label();

    SparseIndex encode(float[] w, int rows, int cols);

    /** Positions in storage order, from the index bytes; inconsistent bytes are an InvalidInputException. */
    int[] decode(byte[] index, int rows, int cols, int storedCount);

    /** Exact length of {@code encode(w, rows, cols).bytes()}, computed without building them. */
    long byteSize(float[] w, int rows, int cols);

    /** How many values this format stores for {@code w} (the nonzeros, plus fillers or zeros where it stores them). */
    default int storedCount(float[] w) {
        return nonZeroCount(w);
    }

    static boolean isZero(float v) {
        return Float.floatToRawIntBits(v) == 0;
    }

    static int nonZeroCount(float[] w) {
        int n = 0;
        for (float v : w) {
            if (!isZero(v)) {
                n++;
            }
        }
        return n;
    }

    /** Bits needed to write every value in 0..max (0 when max is 0). */
    static int bitsFor(long max) {
        return max <= 0 ? 0 : 64 - Long.numberOfLeadingZeros(max);
    }

    static SparseFormat byId(int id, int parameter) {
        return switch (id) {
            case 0 -> Dense.INSTANCE;
            case 1 -> Bitmask.INSTANCE;
            case 2 -> CompressedSparse.CSR;
            case 3 -> CompressedSparse.CSC;
            case 4, 5 -> RelativeIndex.of(parameter, id == 5);
            default -> throw new InvalidInputException("unknown sparse format " + id + "; the file is corrupt or"
                    + " was written by a newer Minnow");
        };
    }

    /** The byte after the id: the gap width k for the relative index, 0 otherwise. */
    default int parameter() {
        return 0;
    }

    /** Every element stored, no index at all (biases, layers that were not pruned). */
    enum Dense implements SparseFormat {
        INSTANCE;

        public int id() {
            return 0;
        }

        public String label() {
            return "dense";
        }

        public SparseIndex encode(float[] w, int rows, int cols) {
            int[] p = new int[w.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = i;
            }
            return new SparseIndex(this, p, new byte[0]);
        }

        public int[] decode(byte[] index, int rows, int cols, int storedCount) {
            if (index.length != 0 || storedCount != rows * cols) {
                throw new InvalidInputException("dense layer with " + storedCount + " values for " + rows * cols
                        + " elements and " + index.length + " index bytes; the file is corrupt");
            }
            return encode(new float[storedCount], rows, cols).positions();
        }

        public long byteSize(float[] w, int rows, int cols) {
            return 0;
        }

        @Override
        public int storedCount(float[] w) {
            return w.length;
        }
    }

    /** One bit per element, set where a value is stored. */
    enum Bitmask implements SparseFormat {
        INSTANCE;

        public int id() {
            return 1;
        }

        public String label() {
            return "bitmask";
        }

        public SparseIndex encode(float[] w, int rows, int cols) {
            BitWriter out = new BitWriter();
            int[] p = new int[nonZeroCount(w)];
            int k = 0;
            for (int i = 0; i < w.length; i++) {
                boolean stored = !isZero(w[i]);
                out.writeBit(stored ? 1 : 0);
                if (stored) {
                    p[k++] = i;
                }
            }
            return new SparseIndex(this, p, out.toBytes());
        }

        public int[] decode(byte[] index, int rows, int cols, int storedCount) {
            int n = rows * cols;
            if (index.length != (n + 7) / 8) {
                throw new InvalidInputException("bitmask of " + index.length + " bytes for " + n
                        + " elements; the file is corrupt");
            }
            BitReader in = new BitReader(index, "bitmask");
            int[] p = new int[storedCount];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (in.readBit() == 1) {
                    if (k == storedCount) {
                        throw new InvalidInputException("bitmask marks more than " + storedCount
                                + " stored values; the file is corrupt");
                    }
                    p[k++] = i;
                }
            }
            if (k != storedCount || (n % 8 != 0 && in.read(8 - n % 8) != 0)) {
                throw new InvalidInputException("bitmask marks " + k + " values, the layer stores " + storedCount
                        + " (or its padding bits are set); the file is corrupt");
            }
            return p;
        }

        public long byteSize(float[] w, int rows, int cols) {
            return ((long) w.length + 7) / 8;
        }
    }
}
