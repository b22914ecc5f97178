package dev.minnow.onnx.backend;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime (its Java API, in this process) behind the {@link ModelRunner} seam. Sessions
 * use every graph optimization (level ALL), so ONNX Runtime fuses QDQ pairs into its integer
 * kernels, and a fixed number of intra-op threads. Float32 feeds are converted to float16 where
 * the model's input is float16; float16 and integer outputs come back as float32 or their own type.
 */
public final class OrtRunner implements ModelRunner {
    /** Session settings: intra-op threads and extra configuration entries (e.g. "session.qdqisint8allowed"). */
    public record Options(int threads, Map<String, String> config) {
        public Options {
            if (threads < 1) {
                throw new InvalidInputException("ONNX Runtime needs at least 1 thread, got " + threads);
            }
            config = Map.copyOf(config);
        }

        public static Options threads(int threads) {
            return new Options(threads, Map.of());
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final List<String> inputNames;
    private final Map<String, OnnxJavaType> inputTypes = new LinkedHashMap<>();

    private OrtRunner(Source source, Options options) {
        try {
            this.env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(options.threads());
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                for (Map.Entry<String, String> e : options.config().entrySet()) {
                    o.addConfigEntry(e.getKey(), e.getValue());
                }
                this.session = switch (source) {
                    case Source.Bytes b -> env.createSession(b.model(), o);
                    case Source.File f -> env.createSession(f.path().toString(), o);
                };
            }
            this.inputNames = List.copyOf(session.getInputNames());
            for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
                if (e.getValue().getInfo() instanceof TensorInfo ti) {
                    inputTypes.put(e.getKey(), ti.type);
                }
            }
        } catch (OrtException e) {
            throw new MinnowException("ONNX Runtime cannot load the model: " + e.getMessage()
                    + " (Minnow's own executor may run it: --backend minnow)");
        } catch (UnsatisfiedLinkError e) {
            throw new MinnowException("ONNX Runtime's native library does not load on this machine: " + e.getMessage()
                    + " (use --backend minnow)");
        }
    }

    private sealed interface Source {
        record Bytes(byte[] model) implements Source {
        }

        record File(Path path) implements Source {
        }
    }

    /** A session for serialized ONNX bytes. */
    public static OrtRunner of(byte[] model, Options options) {
        return new OrtRunner(new Source.Bytes(model), options);
    }

    /** A session for an ONNX file read by ONNX Runtime itself (external data beside it is found). */
    public static OrtRunner of(Path onnxFile, Options options) {
        return new OrtRunner(new Source.File(onnxFile), options);
    }

    /** A session for a Minnow graph, written as ONNX first. */
    public static OrtRunner of(Graph graph, Options options) {
        return of(Onnx.toBytes(graph), options);
    }

    @Override
    public Backend backend() {
        return Backend.ORT;
    }

    @Override
    public List<String> inputNames() {
        return inputNames;
    }

    @Override
    public Map<String, Tensor> run(Map<String, Tensor> feeds) {
        List<OnnxTensor> created = new ArrayList<>();
        try {
            Map<String, OnnxTensor> in = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : feeds.entrySet()) {
                OnnxTensor t = toOrt(e.getKey(), e.getValue());
                created.add(t);
                in.put(e.getKey(), t);
            }
            try (OrtSession.Result r = session.run(in)) {
                Map<String, Tensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : r) {
                    if (!(e.getValue() instanceof OnnxTensor t)) {
                        throw new InvalidInputException("ONNX Runtime output '" + e.getKey()
                                + "' is not a tensor (sequences and maps are not supported here)");
                    }
                    out.put(e.getKey(), fromOrt(t));
                }
                return out;
            }
        } catch (OrtException e) {
            throw new MinnowException("ONNX Runtime failed to run the model: " + e.getMessage());
        } finally {
            created.forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor toOrt(String name, Tensor x) throws OrtException {
        long[] shape = x.shape().dimsLong();
        OnnxJavaType want = inputTypes.get(name);
        if (want == null) {
            throw new InvalidInputException("the model has no input named '" + name + "'; its inputs: " + inputNames);
        }
        if (want == OnnxJavaType.FLOAT16 && x.dtype() == DType.FLOAT32) {
            x = x.cast(DType.FLOAT16);
        }
        return switch (x.dtype()) {
            case FLOAT32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), shape);
            case FLOAT16 -> OnnxTensor.createTensor(env, ShortBuffer.wrap(x.shorts()), shape, OnnxJavaType.FLOAT16);
            case UINT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(x.bytes()), shape, OnnxJavaType.UINT8);
            case INT8 -> OnnxTensor.createTensor(env, ByteBuffer.wrap(x.bytes()), shape, OnnxJavaType.INT8);
            case INT32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(x.ints()), shape);
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(x.longs()), shape);
            default -> throw new InvalidInputException("ONNX Runtime inputs may be float32, float16, int8, uint8, int32 "
                    + "or int64 here, not " + x.dtype().label + " (input '" + name + "')");
        };
    }

    private static Tensor fromOrt(OnnxTensor t) {
        long[] dims = t.getInfo().getShape();
        int[] d = new int[dims.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.toIntExact(dims[i]);
        }
        Shape shape = Shape.of(d);
        return switch (t.getInfo().type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                yield Tensor.wrap(DType.FLOAT32, shape, a);
            }
            case FLOAT16, BFLOAT16 -> {
                ShortBuffer b = t.getShortBuffer();
                short[] a = new short[b.remaining()];
                b.get(a);
                DType dt = t.getInfo().type == OnnxJavaType.FLOAT16 ? DType.FLOAT16 : DType.BFLOAT16;
                yield Tensor.wrap(dt, shape, a).cast(DType.FLOAT32);
            }
            case UINT8, INT8 -> {
                ByteBuffer b = t.getByteBuffer();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                yield Tensor.wrap(t.getInfo().type == OnnxJavaType.UINT8 ? DType.UINT8 : DType.INT8, shape, a);
            }
            case INT32 -> {
                IntBuffer b = t.getIntBuffer();
                int[] a = new int[b.remaining()];
                b.get(a);
                yield Tensor.wrap(DType.INT32, shape, a);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] a = new long[b.remaining()];
                b.get(a);
                yield Tensor.wrap(DType.INT64, shape, a);
            }
            default -> throw new InvalidInputException("ONNX Runtime returned a " + t.getInfo().type
                    + " output, which Minnow does not convert");
        };
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
