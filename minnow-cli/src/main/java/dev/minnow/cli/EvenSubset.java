package dev.minnow.cli;

import dev.minnow.data.Dataset;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import java.util.List;

/**
 * n samples spread evenly over a dataset (index i * size / n): test sets stored class by class
 * (the CIFAR-10 JPEG archive) would give one or two classes from their first n images.
 */
final class EvenSubset implements Dataset {
    private final Dataset source;
    private final int n;

    EvenSubset(Dataset source, int n) {
        if (n < 1 || n > source.size()) {
            throw new InvalidInputException("--samples must be between 1 and the test set's " + source.size()
                    + " images, got " + n);
        }
        this.source = source;
        this.n = n;
    }

    int sourceIndex(int index) {
        return (int) ((long) index * source.size() / n);
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public Shape sampleShape() {
        return source.sampleShape();
    }

    @Override
    public int numClasses() {
        return source.numClasses();
    }

    @Override
    public void copySample(int index, float[] dst, int dstOffset) {
        source.copySample(sourceIndex(index), dst, dstOffset);
    }

    @Override
    public int label(int index) {
        return source.label(sourceIndex(index));
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }
}
