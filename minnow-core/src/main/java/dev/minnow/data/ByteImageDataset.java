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
    private final int[] labels;
    private final Shape sampleShape;
    private final int sampleSize;
    private final List<String> classNames;

    /** pixels: size * C*H*W bytes, sample after sample; labels: one unsigned byte per sample. */
    ByteImageDataset(byte[] pixels, byte[] labels, Shape sampleShape, List<String> classNames) {
        this(pixels, 0, unsigned(labels), sampleShape, classNames);
        if ((long) labels.length * sampleSize != pixels.length) {
            throw new InvalidInputException(labels.length + " labels do not fit " + pixels.length
                    + " pixel bytes of samples " + sampleShape);
        }
    }

    /**
     * The samples starting at pixels[pixelOffset] (several datasets may share one array), with
     * int labels (ImageNet-style folders have more than 256 classes).
     */
    ByteImageDataset(byte[] pixels, int pixelOffset, int[] labels, Shape sampleShape, List<String> classNames) {
        this.sampleShape = sampleShape;
        this.sampleSize = sampleShape.sizeInt();
        if (pixelOffset < 0 || pixelOffset + (long) labels.length * sampleSize > pixels.length) {
            throw new InvalidInputException(labels.length + " labels do not fit " + pixels.length
                    + " pixel bytes of samples " + sampleShape);
        }
        for (int l : labels) {
            if (l < 0 || l >= classNames.size()) {
                throw new InvalidInputException("label " + l + " is outside the " + classNames.size() + " classes");
            }
        }
        this.pixels = pixels;
        this.pixelOffset = pixelOffset;
        this.labels = labels.clone();
        this.classNames = List.copyOf(classNames);
    }

    private static int[] unsigned(byte[] b) {
        int[] v = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = b[i] & 0xff;
        }
        return v;
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
        return labels[index];
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }
}
