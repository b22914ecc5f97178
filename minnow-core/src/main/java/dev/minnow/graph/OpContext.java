package dev.minnow.graph;

import java.util.SplittableRandom;

/**
 * Per-node, per-run state handed to an op: training or inference mode, a seeded random
 * source (Dropout), and one slot where forward may leave what backward needs
 * (a mask, an argmax, batch statistics). An executor keeps one context per node.
 */
public final class OpContext {
    private final boolean training;
    private final SplittableRandom random;
    private Object saved;

    public OpContext(boolean training, SplittableRandom random) {
        this.training = training;
        this.random = random;
    }

    public static OpContext inference() {
        return new OpContext(false, new SplittableRandom(0));
    }

    public static OpContext training(long seed) {
        return new OpContext(true, new SplittableRandom(seed));
    }

    public boolean training() {
        return training;
    }

    public SplittableRandom random() {
        return random;
    }

    public void save(Object state) {
        this.saved = state;
    }

    @SuppressWarnings("unchecked")
    public <T> T saved() {
        return (T) saved;
    }
}
