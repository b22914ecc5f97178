package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;

/**
 * One row of a SCALE-Sim topology: a convolution over an unpadded input (batch 1, one group).
 * The IFMAP size is taken as given: SCALE-Sim adds no padding, so a padded model layer must
 * list its padded input size here.
 *
 * <p>GEMM view (SCALE-Sim's im2col operand matrices): {@code M = ofmapPixels()} rows of the
 * input matrix, {@code K = windowSize()} its columns and the filter matrix's rows,
 * {@code N = numFilters} the filter matrix's columns.
 */
public record ConvLayer(String name, int ifmapHeight, int ifmapWidth, int filterHeight, int filterWidth,
                        int channels, int numFilters, int strideHeight, int strideWidth) {
    public ConvLayer {
        positive(name, "IFMAP Height", ifmapHeight);
        positive(name, "IFMAP Width", ifmapWidth);
        positive(name, "Filter Height", filterHeight);
        positive(name, "Filter Width", filterWidth);
        positive(name, "Channels", channels);
        positive(name, "Num Filter", numFilters);
        positive(name, "Strides", strideHeight);
        positive(name, "Strides", strideWidth);
        if (filterHeight > ifmapHeight) {
            throw new InvalidInputException("layer " + name + ": Filter Height " + filterHeight
                    + " is larger than IFMAP Height " + ifmapHeight + " (no padding is added; list the padded size)");
        }
        if (filterWidth > ifmapWidth) {
            throw new InvalidInputException("layer " + name + ": Filter Width " + filterWidth
                    + " is larger than IFMAP Width " + ifmapWidth + " (no padding is added; list the padded size)");
        }
    }

    private static void positive(String layer, String field, int value) {
        if (value <= 0) {
            throw new InvalidInputException("layer " + layer + ": " + field + " must be at least 1, got " + value);
        }
    }

    /**
     * SCALE-Sim's rule, ceil((H - Fh + s) / s): when the stride does not divide H - Fh the last
     * window hangs over the edge (its missing pixels become empty requests, still counted as reads).
     */
    public int ofmapHeight() {
        return ceilDiv(ifmapHeight - filterHeight + strideHeight, strideHeight);
    }

    /** Same rule as {@link #ofmapHeight()} along the width. */
    public int ofmapWidth() {
        return ceilDiv(ifmapWidth - filterWidth + strideWidth, strideWidth);
    }

    /** M: output pixels per filter. */
    public long ofmapPixels() {
        return (long) ofmapHeight() * ofmapWidth();
    }

    /** K: one convolution window, filter height x width x channels. */
    public long windowSize() {
        return (long) filterHeight * filterWidth * channels;
    }

    /** M x N x K, the multiply-accumulates SCALE-Sim counts (hanging windows included). */
    public long macs() {
        return ofmapPixels() * numFilters * windowSize();
    }

    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }
}
