package dev.minnow.compress.recipe;

import dev.minnow.compress.encode.GraphCodec;
import dev.minnow.compress.prune.FineTuning;
import dev.minnow.data.DatasetSplit;
import java.nio.file.Path;

/**
 * What a step may use besides the model: the data (already preprocessed), the folder it saves
 * into, how to write ONNX, how to fine-tune, and the epochs scale (--epochs-scale).
 *
 * @param index the step's number, 1 for the first step of the recipe
 * @param source the recipe's source, for errors that point at the step's line
 */
public record StepContext(DatasetSplit split, Path dir, GraphCodec codec, FineTuning tuning, double epochsScale,
                          int index, String source) {
    /** A recipe's epoch count under the scale: 0 stays 0, anything else at least 1. */
    public int epochs(int written) {
        return written <= 0 ? 0 : Math.max(1, (int) Math.round(written * epochsScale));
    }

    /** step-N-KIND.EXT in the run's folder. */
    public Path stepFile(StepKind kind, String ext) {
        return dir.resolve("step-" + index + "-" + kind.key + "." + ext);
    }
}
