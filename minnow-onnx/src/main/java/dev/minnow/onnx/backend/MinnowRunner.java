package dev.minnow.onnx.backend;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** Minnow's inference executor behind the {@link ModelRunner} seam. */
public final class MinnowRunner implements ModelRunner {
    private final InferenceExecutor executor;
    private final List<String> inputNames;

    public MinnowRunner(Graph graph, ExecutionOptions options) {
        this.executor = InferenceExecutor.of(graph, options);
        this.inputNames = graph.inputs().stream().map(Value::name).toList();
    }

    /** The executor, for what only Minnow offers (per-layer profiling). */
    public InferenceExecutor executor() {
        return executor;
    }

    @Override
    public Backend backend() {
        return Backend.MINNOW;
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        return executor.run(feeds);
    }

    @Override
    public Tensor run(Tensor input) {
        return executor.run(input);
    }

    @Override
    public void close() {
        // buffers are plain heap arrays; nothing to release
    }
}
