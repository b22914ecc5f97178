package dev.minnow.train;

import java.util.List;

/** The epochs a {@link Trainer#fit} call ran (after a resume, only the new ones) and its wall time. */
public record TrainResult(List<EpochStats> epochs, double seconds) {
    public TrainResult {
        epochs = List.copyOf(epochs);
    }

    /** Test top-1 after the last epoch run, or NaN when no epoch ran. */
    public double finalTestTop1() {
        return epochs.isEmpty() ? Double.NaN : epochs.getLast().testTop1();
    }
}
