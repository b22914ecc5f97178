package dev.minnow.train;

/** Progress of an evaluation: called after each batch. */
@FunctionalInterface
public interface EvalListener {
    void onBatch(int samplesDone, int samplesTotal);
}
