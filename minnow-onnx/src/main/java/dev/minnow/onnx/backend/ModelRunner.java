package dev.minnow.onnx.backend;

import dev.minnow.tensor.Tensor;
import dev.minnow.train.Model;
import java.util.List;
import java.util.Map;

/**
 * Runs one model on one executor: Minnow's {@code InferenceExecutor} or ONNX Runtime ({@link
 * Backend}). A runner is a {@link Model}, so the evaluator and the benchmark treat both alike.
 * Runners hold native or planned resources: close them.
 */
public interface ModelRunner extends Model, AutoCloseable {
    /** Which executor runs the model. */
    Backend backend();

    /** The graph inputs' names, in order. */
    List<String> inputNames();

    /** Runs the model on named inputs and returns every graph output by name, as float32 where it is a float. */
    Map<String, Tensor> run(Map<String, Tensor> feeds);

    /** Runs on the first input and returns the first output. */
    default Tensor run(Tensor input) {
        return run(Map.of(inputNames().getFirst(), input)).values().iterator().next();
    }

    @Override
    default Tensor predict(Tensor batch) {
        return run(batch);
    }

    @Override
    void close();
}
