package dev.minnow.errors;

/** The loss became NaN or infinite; carries the step so the user can act on it. */
public class TrainingDivergedException extends MinnowException {
    private final long step;

    public TrainingDivergedException(String message, long step) {
        super(message);
        this.step = step;
    }

    public long step() {
        return step;
    }
}
