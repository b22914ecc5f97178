package dev.minnow.cli;

import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.kernels.Parallel;
import dev.minnow.onnx.backend.Backend;
import dev.minnow.onnx.backend.ModelRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --backend minnow|ort: which executor runs the model (bench, eval). */
final class BackendOptions {
    @Option(names = "--backend", paramLabel = "minnow|ort", defaultValue = "minnow",
            description = "Executor: minnow (Minnow's kernels) or ort (ONNX Runtime, graph optimizations ALL, "
                    + "--threads intra-op threads; an .onnx file is given to it as it is on disk). Default: ${DEFAULT-VALUE}.")
    String backend;

    Backend backend() {
        return Backend.parse(backend);
    }

    /**
     * Opens the chosen executor for MODEL (the command-line argument) and g, Minnow's reading of it.
     * ONNX Runtime reads an .onnx file itself so that a QDQ model keeps its layout; zoo models and
     * .mnz files reach it as Minnow writes them.
     */
    ModelRunner open(String model, Graph g) {
        return open(model, g, ExecutionOptions.fromSystemProperties()); // -Dminnow.* switches (docs/KERNELS.md)
    }

    /** As {@link #open(String, Graph)} with these options for Minnow's executor. */
    ModelRunner open(String model, Graph g, ExecutionOptions minnow) {
        Path p = Path.of(model);
        if (model.endsWith(".onnx") && Files.isRegularFile(p)) {
            return backend().open(p, g, minnow, Parallel.threads());
        }
        return backend().open(g, minnow, Parallel.threads());
    }
}
