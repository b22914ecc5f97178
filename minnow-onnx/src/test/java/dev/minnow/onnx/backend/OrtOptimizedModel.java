package dev.minnow.onnx.backend;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;

/**
 * Writes the graph ONNX Runtime actually runs (after its level-ALL optimizations, the same
 * settings as {@link OrtRunner}) so one can check which QDQ groups it fused into integer kernels:
 * QLinearConv, QLinearAdd, ... fused; DequantizeLinear -> float op -> QuantizeLinear left over not.
 * A tool, not a test: {@code java -cp <minnow-onnx test classpath> dev.minnow.onnx.backend.OrtOptimizedModel IN.onnx OUT.onnx [THREADS]}.
 */
public final class OrtOptimizedModel {
    private OrtOptimizedModel() {
    }

    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(args.length > 2 ? Integer.parseInt(args[2]) : 1);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setOptimizedModelFilePath(Path.of(args[1]).toAbsolutePath().toString());
            try (OrtSession s = env.createSession(args[0], o)) {
                System.out.println("wrote " + args[1] + " (inputs " + s.getInputNames() + ")");
            }
        }
    }
}
