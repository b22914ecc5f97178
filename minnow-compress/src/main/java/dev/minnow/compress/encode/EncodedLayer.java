package dev.minnow.compress.encode;

import dev.minnow.tensor.Shape;

/**
 * One initializer as the .mnz stores it: the chosen sparse format with its index bytes, and the
 * stored values (in index order) with their coding. Byte counts for the report are on {@link LayerReport}.
 * {@code bytesWithoutHuffman}: index and value bytes of the smallest candidate that uses no
 * Huffman code (Long.MAX_VALUE if there is none), for the report's "Huffman saved".
 */
public record EncodedLayer(String name, Shape shape, SparseFormat format, int storedCount, byte[] indexBytes,
                           ValueCoding.Encoded values, long bytesWithoutHuffman) {
    /** Bytes of index and value data, without the section's header. */
    public long dataBytes() {
        return indexBytes.length + (long) values.bytes().length;
    }
}
