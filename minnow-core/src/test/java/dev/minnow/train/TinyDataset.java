package dev.minnow.train;

import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Normalization;
import dev.minnow.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Test double for a dataset: 1x4x4 images in [0,1] of 3 classes; class k lights up row k
 * (plus noise), so a small MLP separates them within a few epochs.
 */
final class TinyDataset implements Dataset {
    static final int CLASSES = 3;
    private final float[] pixels;
    private final int[] labels;

    TinyDataset(int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        pixels = new float[size * 16];
        labels = new int[size];
        for (int i = 0; i < size; i++) {
            labels[i] = r.nextInt(CLASSES);
            for (int p = 0; p < 16; p++) {
                float base = p / 4 == labels[i] ? 0.7f : 0.2f;
                pixels[i * 16 + p] = (float) Math.min(1, Math.max(0, base + 0.3 * (r.nextDouble() - 0.5)));
            }
        }
    }

    static DatasetSplit split(int trainSize, int testSize) {
        return new DatasetSplit("tiny", new TinyDataset(trainSize, 1), new TinyDataset(testSize, 2),
                new Normalization(new float[] {0.35f}, new float[] {0.25f}));
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Shape sampleShape() {
        return Shape.of(1, 4, 4);
    }

    @Override
    public int numClasses() {
        return CLASSES;
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        System.arraycopy(pixels, index * 16, dst, dstOffset, 16);
    }

    @Override
    public int label(int index) {
        return labels[index];
    }
}
