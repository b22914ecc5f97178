package dev.minnow.data;

import dev.minnow.tensor.Tensor;

/**
 * One batch from a {@link DataLoader}: images as a float32 NCHW tensor with N = count,
 * and the count labels. The last batch of an epoch may be smaller unless drop-last is set.
 */
public record Batch(Tensor images, int[] labels, int count) {
}
