package dev.minnow.compress.encode;

import java.util.List;

/**
 * Where one layer's bytes go in the .mnz. The parts add up to the section's size:
 * {@code totalBytes = headerBytes + indexBytes + codebookBytes + valueBytes}; headerBytes
 * includes the section's kind, length and CRC32. {@code huffmanTableBytes} counts the Huffman
 * tables inside indexBytes and valueBytes (an "of which", not another part);
 * {@code huffmanSavedBytes} is how much bigger the best encoding without any Huffman code would be.
 */
public record LayerReport(String name, List<Integer> shape, String format, String valueCoding, long elements,
                          long nonZeros, long storedValues, long headerBytes, long indexBytes, long codebookBytes,
                          long valueBytes, long huffmanTableBytes, long huffmanSavedBytes) {
    /** Fraction of the layer's weights that are not zero (the paper's "weights %"). */
    public double keptFraction() {
        return elements == 0 ? 0 : (double) nonZeros / elements;
    }

    /** Value bits (codebook included) per nonzero weight. */
    public double bitsPerWeight() {
        return nonZeros == 0 ? 0 : 8.0 * (valueBytes + codebookBytes) / nonZeros;
    }

    /** Index bits per nonzero weight. */
    public double indexBitsPerWeight() {
        return nonZeros == 0 ? 0 : 8.0 * indexBytes / nonZeros;
    }

    public long totalBytes() {
        return headerBytes + indexBytes + codebookBytes + valueBytes;
    }

    /** The dense float32 size of the layer divided by its size in the file. */
    public double ratio() {
        return 4.0 * elements / totalBytes();
    }
}
