package dev.minnow.train;

import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * Applied to the parameters after every optimizer step (and once before training starts), so
 * a property holds through fine-tuning: a pruning mask, an N:M pattern, tied cluster weights.
 * A constraint with state (the masks) exposes it for checkpoints, keyed by short names.
 */
@FunctionalInterface
public interface ParameterConstraint {
    /** Projects the parameters back onto the constraint, in place. {@code step} counts steps taken (1 after the first). */
    void afterStep(Map<String, Tensor> parameters, long step);

    /** State to save in a checkpoint (copies); empty by default. */
    default Map<String, Tensor> state() {
        return Map.of();
    }

    /** Restores what {@link #state()} returned. */
    default void loadState(Map<String, Tensor> state) {
    }

    /** Short description for settings strings. */
    default String describe() {
        return getClass().getSimpleName();
    }
}
