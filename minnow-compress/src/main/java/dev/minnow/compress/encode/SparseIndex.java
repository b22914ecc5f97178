package dev.minnow.compress.encode;

/**
 * Where a layer's stored values sit: {@code positions} are row-major indices into the
 * [rows, cols] view, in the order the values are stored (column by column for CSC; with the
 * relative-index format they include the filler zeros); {@code bytes} is the index data on disk.
 */
public record SparseIndex(SparseFormat format, int[] positions, byte[] bytes) {
}
