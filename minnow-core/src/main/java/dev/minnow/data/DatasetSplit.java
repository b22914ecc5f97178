package dev.minnow.data;

import dev.minnow.errors.InvalidInputException;

/**
 * A named dataset with its train and test splits and the normalization the trainer applies by
 * default (published constants for the standard datasets, estimated from the train split otherwise).
 */
public record DatasetSplit(String name, Dataset train, Dataset test, Normalization normalization) {
    /** Samples used when the normalization is estimated from the train split. */
    public static final int NORMALIZATION_SAMPLES = 10_000;

    public DatasetSplit {
        if (!train.sampleShape().equals(test.sampleShape())) {
            throw new InvalidInputException("dataset " + name + ": train samples are " + train.sampleShape()
                    + " but test samples are " + test.sampleShape());
        }
        if (normalization.channels() != train.sampleShape().dim(0)) {
            throw new InvalidInputException("dataset " + name + ": normalization has " + normalization.channels()
                    + " channels but samples have " + train.sampleShape().dim(0));
        }
    }

    /** A split whose normalization is estimated from (a sample of) the train split. */
    public DatasetSplit(String name, Dataset train, Dataset test) {
        this(name, train, test, Normalization.estimate(train, NORMALIZATION_SAMPLES));
    }
}
