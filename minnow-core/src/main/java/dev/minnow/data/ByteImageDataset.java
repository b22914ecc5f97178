package dev.minnow.data;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import java.util.List;

/**
 * Images held in memory as uint8 CHW planes (one byte per pixel and channel), converted to
 * [0,1] floats on read. 60,000 CIFAR images take 184 MB this way instead of 737 MB as floats.
 */
final class ByteImageDataset implements Dataset {
    private static final float[] TO_UNIT = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            TO_UNIT[i] = i / 255f;
        }
    }

    private final byte[] pixels;
    private final int pixelOffset;
    private final byte[] labels;
    private final Shape sampleShape;
    private final int sampleSize;
    private final List<String> classNames;

    /** pixels: size * C*H*W bytes, sample after sample; labels: one unsigned byte per sample. */
    ByteImageDataset(byte[] pixels, byte[] labels, Shape sampleShape, List<String> classNames) {
        this(pixels, 0, labels, sampleShape, classNames);
        if ((long) labels.length * sampleSize != pixels.length) {
            throw new InvalidInputException(labels.length + " labels do not fit " + pixels.length
                    + " pixel bytes of samples " + sampleShape);
        }
    }

    /** As above, the samples starting at pixels[pixelOffset] (several datasets may share one array). */
    ByteImageDataset(byte[] pixels, int pixelOffset, byte[] labels, Shape sampleShape, List<String> classNames) {
        this.sampleShape = sampleShape;
        this.sampleSize = sampleShape.sizeInt();
        if (pixelOffset < 0 || pixelOffset + (long) labels.length * sampleSize > pixels.length) {
            throw new InvalidInputException(labels.length + " labels do not fit " + pixels.length
                    + " pixel bytes of samples " + sampleShape);
        }
        if (classNames.size() > 256) {
            throw new InvalidInputException("at most 256 classes are supported, got " + classNames.size());
        }
        this.pixels = pixels;
        this.pixelOffset = pixelOffset;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Shape sampleShape() {
        return sampleShape;
    }

    @Override
    public int numClasses() {
        return classNames.size();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        int src = pixelOffset + java.util.Objects.checkIndex(index, labels.length) * sampleSize;
        for (int i = 0; i < sampleSize; i++) {
            dst[dstOffset + i] = TO_UNIT[pixels[src + i] & 0xff];
        }
    }

    @Override
    public int label(int index) {
        return labels[index] & 0xff;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }
}
