package dev.minnow.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.minnow.errors.MinnowException;
import java.nio.FloatBuffer;
import java.util.Map;

/** ONNX Runtime (Java) as the peer that `bench --compare ort` measures against, in the same process. */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;

    OrtRunner(byte[] model, String inputName, int threads) {
        try {
            this.env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(model, o);
            this.inputName = inputName;
        } catch (OrtException | UnsatisfiedLinkError e) {
            throw new MinnowException("ONNX Runtime could not load the model: " + e.getMessage());
        }
    }

    /** Runs once and returns the first output as a flat float array. */
    float[] run(float[] input, long[] shape) {
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer fb = out.getFloatBuffer();
            float[] a = new float[fb.remaining()];
            fb.get(a);
            return a;
        } catch (OrtException e) {
            throw new MinnowException("ONNX Runtime failed to run the model: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing a session that ran is not expected to fail; nothing to recover
        }
    }
}
