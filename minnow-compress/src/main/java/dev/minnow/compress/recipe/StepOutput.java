package dev.minnow.compress.recipe;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a step gives back: the model after it, what it did (its own record, as JSON-ready
 * values), the file it saved when it saves its own (null: the runner saves the graph as
 * step-N-KIND.onnx), and its size when the file is the model's stored form (encode's .mnz).
 */
public record StepOutput(ModelState state, Map<String, Object> details, Path savedFile, Long sizeBytes) {
    public StepOutput {
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }

    public static StepOutput of(ModelState state, Map<String, Object> details) {
        return new StepOutput(state, details, null, null);
    }
}
