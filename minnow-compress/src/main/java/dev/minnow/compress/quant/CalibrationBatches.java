package dev.minnow.compress.quant;

import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Calibration input: training images of a split (normalized as the split says), in batches. */
public final class CalibrationBatches {
    private CalibrationBatches() {
    }

    /**
     * samples training images, chosen at random with seed (seed < 0: the first ones in order),
     * normalized with the split's normalization, in batches of batchSize.
     */
    public static List<Tensor> of(DatasetSplit split, int samples, int batchSize, long seed) {
        Dataset train = split.train();
        if (train.size() == 0) {
            throw new InvalidInputException("the calibration set (the training split of " + split.name() + ") is empty");
        }
        if (samples < 1 || batchSize < 1) {
            throw new InvalidInputException("calibration needs at least one sample and a batch size of at least 1");
        }
        int n = Math.min(samples, train.size());
        int[] order = seed < 0 ? java.util.stream.IntStream.range(0, n).toArray()
                : new java.util.Random(seed).ints(0, train.size()).distinct().limit(n).toArray();
        Shape s = train.sampleShape();
        int per = (int) s.size();
        int plane = s.dim(1) * s.dim(2);
        List<Tensor> batches = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int m = Math.min(batchSize, n - from);
            float[] x = new float[m * per];
            for (int i = 0; i < m; i++) {
                train.copySample(order[from + i], x, i * per);
                if (split.normalization() != null) {
                    split.normalization().applyInPlace(x, i * per, plane);
                }
            }
            batches.add(Tensor.of(Shape.of(m, s.dim(0), s.dim(1), s.dim(2)), x));
        }
        return batches;
    }
}
