package dev.minnow.cli;

import dev.minnow.onnx.backend.OrtRunner.Options;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Map;

/**
 * The CLI's float-array view of {@link dev.minnow.onnx.backend.OrtRunner} (ONNX Runtime in this
 * process, graph optimization level ALL): one named input, the first output as floats.
 */
final class OrtRunner implements AutoCloseable {
    private final dev.minnow.onnx.backend.OrtRunner ort;
    private final String inputName;

    OrtRunner(byte[] model, String inputName, int threads) {
        this(model, inputName, threads, Map.of());
    }

    /** config: session configuration entries (e.g. "session.qdqisint8allowed" = "1"). */
    OrtRunner(byte[] model, String inputName, int threads, Map<String, String> config) {
        this.ort = dev.minnow.onnx.backend.OrtRunner.of(model, new Options(threads, config));
        this.inputName = inputName;
    }

    /** Runs once on a float32 input and returns the first output as a flat float array. */
    float[] run(float[] input, long[] shape) {
        return run(Tensor.wrap(DType.FLOAT32, Shape.of(shape), input));
    }

    /** Runs once and returns the first output as floats (uint8 and int8 outputs as their code values). */
    float[] run(Tensor input) {
        Tensor out = ort.run(Map.of(inputName, input)).values().iterator().next();
        return out.dtype() == DType.FLOAT32 ? out.floats() : out.cast(DType.FLOAT32).floats();
    }

    @Override
    public void close() {
        ort.close();
    }
}
