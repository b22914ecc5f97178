package dev.minnow.compress.encode;

import dev.minnow.errors.InvalidInputException;

/**
 * CSR (row by row) and CSC (column by column) over the [rows, cols] view: outer+1 pointers of
 * {@code bitsFor(nnz)} bits each, then per stored value its inner index in
 * {@code bitsFor(inner-1)} bits, all in one bit stream. CSC suits a layer whose rows (output
 * channels) are long and whose columns are few.
 */
public enum CompressedSparse implements SparseFormat {
    CSR(false), CSC(true);

    private final boolean byColumn;

    CompressedSparse(boolean byColumn) {
        this.byColumn = byColumn;
    }

    public int id() {
        return byColumn ? 3 : 2;
    }

    public String label() {
        return byColumn ? "csc" : "csr";
    }

    public SparseIndex encode(float[] w, int rows, int cols) {
        int outer = byColumn ? cols : rows;
        int inner = byColumn ? rows : cols;
        int nnz = SparseFormat.nonZeroCount(w);
        int ptrBits = SparseFormat.bitsFor(nnz);
        int idxBits = SparseFormat.bitsFor(inner - 1);
        int[] positions = new int[nnz];
        int[] innerIndex = new int[nnz];
        BitWriter out = new BitWriter();
        int k = 0;
        out.write(0, ptrBits);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int p = byColumn ? i * cols + o : o * cols + i;
                if (!SparseFormat.isZero(w[p])) {
                    innerIndex[k] = i;
                    positions[k++] = p;
                }
            }
            out.write(k, ptrBits);
        }
        for (int i = 0; i < nnz; i++) {
            out.write(innerIndex[i], idxBits);
        }
        return new SparseIndex(this, positions, out.toBytes());
    }

    public int[] decode(byte[] index, int rows, int cols, int storedCount) {
        int outer = byColumn ? cols : rows;
        int inner = byColumn ? rows : cols;
        int ptrBits = SparseFormat.bitsFor(storedCount);
        int idxBits = SparseFormat.bitsFor(inner - 1);
        if (index.length != bytes(outer, storedCount, ptrBits, idxBits)) {
            throw new InvalidInputException(label() + " index of " + index.length + " bytes, expected "
                    + bytes(outer, storedCount, ptrBits, idxBits) + "; the file is corrupt");
        }
        BitReader in = new BitReader(index, label() + " index");
        int[] ptr = new int[outer + 1];
        for (int o = 0; o <= outer; o++) {
            ptr[o] = in.read(ptrBits);
            if ((o == 0 && ptr[0] != 0) || (o > 0 && ptr[o] < ptr[o - 1]) || ptr[o] > storedCount) {
                throw new InvalidInputException(label() + " pointers are not increasing from 0 to " + storedCount
                        + "; the file is corrupt");
            }
        }
        if (ptr[outer] != storedCount) {
            throw new InvalidInputException(label() + " pointers end at " + ptr[outer] + ", the layer stores "
                    + storedCount + "; the file is corrupt");
        }
        int[] positions = new int[storedCount];
        for (int o = 0; o < outer; o++) {
            int last = -1;
            for (int k = ptr[o]; k < ptr[o + 1]; k++) {
                int i = in.read(idxBits);
                if (i <= last || i >= inner) {
                    throw new InvalidInputException(label() + " indices within a " + (byColumn ? "column" : "row")
                            + " are not increasing below " + inner + "; the file is corrupt");
                }
                last = i;
                positions[k] = byColumn ? i * cols + o : o * cols + i;
            }
        }
        return positions;
    }

    public long byteSize(float[] w, int rows, int cols) {
        int nnz = SparseFormat.nonZeroCount(w);
        return bytes(byColumn ? cols : rows, nnz, SparseFormat.bitsFor(nnz),
                SparseFormat.bitsFor((byColumn ? rows : cols) - 1));
    }

    private static long bytes(int outer, int nnz, int ptrBits, int idxBits) {
        return ((outer + 1L) * ptrBits + (long) nnz * idxBits + 7) / 8;
    }
}
