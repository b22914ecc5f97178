package dev.minnow.onnx.backend;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The executors a model can run on: Minnow's own inference executor, or ONNX Runtime in the same
 * process. Both take the same graph; ONNX Runtime may instead load an ONNX file as it is on disk,
 * so a QDQ model reaches it with its layout untouched.
 */
public enum Backend {
    MINNOW("minnow"),
    ORT("ort");

    public final String label;

    Backend(String label) {
        this.label = label;
    }

    /** "minnow" or "ort" (any case). */
    public static Backend parse(String s) {
        for (Backend b : values()) {
            if (b.label.equalsIgnoreCase(s.trim())) {
                return b;
            }
        }
        throw new InvalidInputException("unknown backend '" + s + "'; use one of "
                + Arrays.stream(values()).map(b -> b.label).toList());
    }

    /** Opens a runner for graph with threads intra-op threads (Minnow: its options, which carry no thread count). */
    public ModelRunner open(Graph graph, ExecutionOptions minnowOptions, int threads) {
        return switch (this) {
            case MINNOW -> new MinnowRunner(graph, minnowOptions);
            case ORT -> OrtRunner.of(graph, OrtRunner.Options.threads(threads));
        };
    }

    /**
     * Opens a runner for an ONNX file: ONNX Runtime reads the file itself (external data and the
     * file's own layout kept); Minnow runs graph, the file as Minnow read it.
     */
    public ModelRunner open(Path onnxFile, Graph graph, ExecutionOptions minnowOptions, int threads) {
        return switch (this) {
            case MINNOW -> new MinnowRunner(graph, minnowOptions);
            case ORT -> OrtRunner.of(onnxFile, OrtRunner.Options.threads(threads));
        };
    }

    @Override
    public String toString() {
        return label.toLowerCase(Locale.ROOT);
    }
}
