package dev.minnow.cli;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.minnow.errors.MinnowException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Map;

/** ONNX Runtime (Java) as the peer that `bench --compare ort` measures against, in the same process. */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;

    OrtRunner(byte[] model, String inputName, int threads) {
        this(model, inputName, threads, Map.of());
    }

    /** config: session configuration entries (e.g. "session.qdqisint8allowed" = "1"). */
    OrtRunner(byte[] model, String inputName, int threads, Map<String, String> config) {
        try {
            this.env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions o = new OrtSession.SessionOptions();
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            for (Map.Entry<String, String> e : config.entrySet()) {
                o.addConfigEntry(e.getKey(), e.getValue());
            }
            this.session = env.createSession(model, o);
            this.inputName = inputName;
        } catch (OrtException | UnsatisfiedLinkError e) {
            throw new MinnowException("ONNX Runtime could not load the model: " + e.getMessage());
        }
    }

    /** Runs once on a float32 input and returns the first output as a flat float array. */
    float[] run(float[] input, long[] shape) {
        return run(Tensor.wrap(DType.FLOAT32, Shape.of(shape), input));
    }

    /**
     * Runs once and returns the first output as floats. Inputs may be float32, float16 (given as
     * float32 and converted) or uint8; outputs float32, float16 or uint8.
     */
    float[] run(Tensor input) {
        long[] shape = input.shape().dimsLong();
        try (OnnxTensor t = switch (input.dtype()) {
                case FLOAT32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(input.floats()), shape);
                case FLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap(input.shorts()), shape, OnnxJavaType.FLOAT16);
                case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(input.bytes()), shape, OnnxJavaType.UINT8);
                default -> throw new MinnowException("ONNX Runtime comparison supports float32, float16 and uint8 inputs, not "
                        + input.dtype().label);
            };
             OrtSession.Result r = session.run(Map.of(inputName, t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            OnnxJavaType type = out.getInfo().type;
            if (type == OnnxJavaType.UINT8 || type == OnnxJavaType.INT8) {
                ByteBuffer bb = out.getByteBuffer();
                float[] a = new float[bb.remaining()];
                for (int i = 0; i < a.length; i++) {
                    byte v = bb.get();
                    a[i] = type == OnnxJavaType.UINT8 ? v & 0xff : v;
                }
                return a;
            }
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
