package dev.minnow.graph;

import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Per-node, per-run state handed to an op: training or inference mode, a seeded random
 * source (Dropout), and one slot where forward may leave what backward needs
 * (a mask, an argmax, batch statistics). An executor keeps one context per node.
 * <p>
 * Ops must not modify their inputs; an op whose state outlives the pass (BatchNormalization's
 * running statistics) requests the new value with {@link #updateState}, and a training
 * executor writes it into the input after the op's forward. Other runners ignore the requests.
 */
public final class OpContext {
    private final boolean training;
    private final SplittableRandom random;
    private Object saved;
    private List<StateUpdate> stateUpdates = List.of();

    /** A new value for input {@code input} of the op (same size; converted to the input's dtype when written). */
    public record StateUpdate(int input, float[] values) {
        /** Copies the values into {@code target}, the tensor the op received as that input. */
        public void writeInto(Tensor target) {
            if (target.size() != values.length) {
                throw new IllegalStateException("state update of " + values.length + " values for an input of "
                        + target.size() + "; this is a bug in Minnow");
            }
            Tensor v = Tensor.of(dev.minnow.tensor.Shape.of(values.length), values);
            Object converted = target.dtype() == dev.minnow.tensor.DType.FLOAT32 ? values : v.cast(target.dtype()).data();
            System.arraycopy(converted, 0, target.data(), 0, values.length);
        }
    }

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

    /** Asks the executor to store {@code values} into input {@code input} after this forward. */
    public void updateState(int input, float[] values) {
        if (stateUpdates.isEmpty()) {
            stateUpdates = new ArrayList<>(2);
        }
        stateUpdates.add(new StateUpdate(input, values));
    }

    /** The updates the op requested during its last forward (empty for most ops). */
    public List<StateUpdate> stateUpdates() {
        return stateUpdates;
    }

    @SuppressWarnings("unchecked")
    public <T> T saved() {
        return (T) saved;
    }
}
