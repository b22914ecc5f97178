package dev.minnow.data;

import dev.minnow.tensor.Shape;
import java.util.List;

/**
 * A view of a dataset with the channels reversed (RGB to BGR) and/or the images resized
 * (bilinear, as {@link Preprocessing#apply}), so a model trained elsewhere on BGR or on another
 * image size can be trained on the dataset with the trainer's float NCHW pipeline.
 */
final class ReorderedResizedDataset implements Dataset {
    private final Dataset source;
    private final boolean bgr;
    private final int size;
    private final Shape shape;

    ReorderedResizedDataset(Dataset source, boolean bgr, int resize) {
        this.source = source;
        this.bgr = bgr;
        Shape s = source.sampleShape();
        this.size = resize > 0 ? resize : -1;
        this.shape = resize > 0 ? Shape.of(s.dim(0), resize, resize) : s;
    }

    @Override
    public int size() {
        return source.size();
    }

    @Override
    public Shape sampleShape() {
        return shape;
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        Shape s = source.sampleShape();
        int c = s.dim(0);
        float[] x = new float[s.sizeInt()];
        source.copySample(index, x, 0);
        if (size > 0) {
            x = Preprocessing.resizeBilinear(x, 1, c, s.dim(1), s.dim(2), size, size);
        }
        int plane = x.length / c;
        for (int ch = 0; ch < c; ch++) {
            int from = bgr ? c - 1 - ch : ch;
            System.arraycopy(x, from * plane, dst, dstOffset + ch * plane, plane);
        }
    }

    @Override
    public int label(int index) {
        return source.label(index);
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }
}
