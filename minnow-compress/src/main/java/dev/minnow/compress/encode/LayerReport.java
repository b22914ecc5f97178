package dev.minnow.compress.encode;

import java.util.List;

/**
 * Where one layer's bytes go in the .mnz. The parts add up to the section's size:
 * {@code totalBytes = headerBytes + indexBytes + codebookBytes + valueBytes}; headerBytes
 * includes the section's kind, length and CRC32. {@code huffmanTableBytes} counts the Huffman
 * tables inside indexBytes and valueBytes (an "of which", not another part).
 */
public record LayerReport(String name, List<Integer> shape, String format, String valueCoding, long elements,
                          long storedValues, long headerBytes, long indexBytes, long codebookBytes, long valueBytes,
                          long huffmanTableBytes) {
    public long totalBytes() {
        return headerBytes + indexBytes + codebookBytes + valueBytes;
    }

    /** The dense float32 size of the layer divided by its size in the file. */
    public double ratio() {
        return 4.0 * elements / totalBytes();
    }
}
