package dev.minnow.compress.encode;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks, per layer, the sparse format and value coding with the fewest bytes, by encoding with
 * every candidate (sizes are exact, not estimated): dense, bitmask, CSR, CSC and the relative
 * index with gap widths 1..12 bits, fixed or Huffman coded; values as float32 (or float16 when
 * asked), or as a codebook with fixed-width or Huffman-coded indices when the layer has at most
 * {@link ValueCoding#MAX_CODEBOOK} distinct values. Ties go to the earlier candidate.
 */
public final class LayerEncoder {
    static final int MAX_TRIED_GAP_BITS = RelativeIndex.MAX_GAP_BITS;

    private LayerEncoder() {
    }

    /** The candidate formats, in the order ties are broken. */
    public static List<SparseFormat> candidates() {
        List<SparseFormat> r = new ArrayList<>(List.of(SparseFormat.Dense.INSTANCE, SparseFormat.Bitmask.INSTANCE,
                CompressedSparse.CSR, CompressedSparse.CSC));
        for (int k = 1; k <= MAX_TRIED_GAP_BITS; k++) {
            r.add(new RelativeIndex(k, false));
            r.add(new RelativeIndex(k, true));
        }
        return r;
    }

    /**
     * The smallest encoding of a float32 tensor; {@code float16} rounds the values (lossy). The
     * result also carries the size of the best candidate that uses no Huffman code, so the report
     * can show what Huffman coding saved.
     */
    public static EncodedLayer encode(String name, Tensor weight, boolean float16) {
        float[] w = weight.floats();
        int rows = rows(weight.shape());
        int cols = w.length / Math.max(rows, 1);
        EncodedLayer best = null;
        long plainBytes = Long.MAX_VALUE;
        // every candidate stores all nonzeros: with more distinct ones than a codebook holds, none can use one
        boolean codebookPossible = !float16 && fewDistinctNonZeros(w);
        if (!codebookPossible) {
            // values then cost a fixed width each, so sizes follow from the formats' byteSize: encode only the winner
            int valueBytes = float16 ? 2 : 4;
            SparseFormat winner = null;
            long winnerBytes = Long.MAX_VALUE;
            for (SparseFormat f : candidates()) {
                long size = f.byteSize(w, rows, cols) + (long) valueBytes * f.storedCount(w);
                if (size < winnerBytes) {
                    winner = f;
                    winnerBytes = size;
                }
                if (!(f instanceof RelativeIndex r && r.huffman())) {
                    plainBytes = Math.min(plainBytes, size);
                }
            }
            EncodedLayer e = encodeWith(name, weight.shape(), w, rows, cols, winner, float16, false);
            return new EncodedLayer(name, weight.shape(), e.format(), e.storedCount(), e.indexBytes(), e.values(),
                    plainBytes);
        }
        for (SparseFormat f : candidates()) {
            EncodedLayer e = encodeWith(name, weight.shape(), w, rows, cols, f, float16, codebookPossible);
            if (best == null || e.dataBytes() < best.dataBytes()) {
                best = e;
            }
            plainBytes = Math.min(plainBytes, e.bytesWithoutHuffman());
        }
        return new EncodedLayer(best.name(), best.shape(), best.format(), best.storedCount(), best.indexBytes(),
                best.values(), plainBytes);
    }

    private static boolean fewDistinctNonZeros(float[] w) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (float v : w) {
            if (!SparseFormat.isZero(v) && seen.add(Float.floatToRawIntBits(v)) && seen.size() > ValueCoding.MAX_CODEBOOK) {
                return false;
            }
        }
        return true;
    }

    /** Encodes with one format, choosing the smallest value coding for it. */
    public static EncodedLayer encodeWith(String name, Shape shape, float[] w, int rows, int cols, SparseFormat f,
                                          boolean float16) {
        return encodeWith(name, shape, w, rows, cols, f, float16, !float16);
    }

    private static EncodedLayer encodeWith(String name, Shape shape, float[] w, int rows, int cols, SparseFormat f,
                                           boolean float16, boolean tryCodebook) {
        SparseIndex index = f.encode(w, rows, cols);
        float[] values = new float[index.positions().length];
        for (int i = 0; i < values.length; i++) {
            values[i] = w[index.positions()[i]];
        }
        ValueCoding.Encoded best = (float16 ? ValueCoding.FLOAT16 : ValueCoding.FLOAT32).encode(values);
        long plainValues = best.bytes().length;
        if (tryCodebook && !float16 && ValueCoding.codebook(values) != null) {
            for (ValueCoding c : ValueCoding.CODEBOOKS) {
                ValueCoding.Encoded e = c.encode(values);
                if (c == ValueCoding.CODEBOOK) {
                    plainValues = Math.min(plainValues, e.bytes().length);
                }
                if (e.bytes().length < best.bytes().length) {
                    best = e;
                }
            }
        }
        boolean huffmanIndex = f instanceof RelativeIndex r && r.huffman();
        long plain = huffmanIndex ? Long.MAX_VALUE : index.bytes().length + plainValues;
        return new EncodedLayer(name, shape, f, values.length, index.bytes(), best, plain);
    }

    /** Rows of the 2-D view: the first dimension (1 for scalars and vectors). */
    public static int rows(Shape shape) {
        return shape.rank() < 2 ? 1 : shape.dim(0);
    }
}
