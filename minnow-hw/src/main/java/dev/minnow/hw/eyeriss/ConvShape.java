package dev.minnow.hw.eyeriss;

import dev.minnow.errors.InvalidInputException;

/**
 * One convolution layer as Eyeriss's papers write it (ISCA 2016 Table I): {@code M} filters of
 * {@code C x R x S} over a {@code C x H x W} input (padding included), stride {@code U}, in
 * {@code groups} independent groups (AlexNet's CONV2, 4, 5 have 2); output
 * {@code E = (H - R) / U + 1} (floor; unlike SCALE-Sim no window hangs over the edge).
 *
 * @param channels  C, per group
 * @param filters   M, per group
 */
public record ConvShape(String name, int channels, int height, int width, int filters, int filterHeight,
                        int filterWidth, int stride, int groups) {
    public ConvShape {
        for (int v : new int[] {channels, height, width, filters, filterHeight, filterWidth, stride, groups}) {
            if (v < 1) {
                throw new InvalidInputException("layer " + name + ": every size must be at least 1");
            }
        }
        if (filterHeight > height || filterWidth > width) {
            throw new InvalidInputException("layer " + name + ": the filter is larger than the (padded) input");
        }
    }

    public int outHeight() {
        return (height - filterHeight) / stride + 1;
    }

    public int outWidth() {
        return (width - filterWidth) / stride + 1;
    }

    /** MACs of one image, all groups. */
    public long macs() {
        return (long) groups * filters * channels * outHeight() * outWidth() * filterHeight * filterWidth;
    }
}
