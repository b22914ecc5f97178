package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every model shipped in ../shared/models imports and runs like ONNX Runtime runs the original.
 * A model that fails to import fails the test: only a missing models folder skips. A model that
 * cannot be imported on purpose is listed in {@link #KNOWN_FAILURES} with the error it must
 * raise, so the list cannot go stale silently (it fails once the model imports, or fails differently).
 */
class SharedModelsTest {
    /**
     * How one shipped model is read, fed and compared. Inputs are uniform in [lo, hi); a value agrees
     * when |ORT - Minnow| <= atol + rtol*|ORT|. Up to outlierFraction of the values may disagree, by at
     * most outlierOfMax times the largest |ORT| value, and then the top-1 index must still agree.
     */
    record Case(ReadOptions options, double lo, double hi, double rtol, double atol, double outlierFraction,
            double outlierOfMax) {
        static final Case DEFAULT = new Case(ReadOptions.defaults(), 0, 1, 1e-4, 1e-4, 0, 0);
    }

    /** Models needing other than {@link Case#DEFAULT}; every other model in the folder gets the default. */
    private static final Map<String, Case> CASES = Map.of(
            "mnist-cntk.onnx", new Case(ReadOptions.defaults(), 0, 255, 1e-4, 1e-3, 0, 0),
            // ORT computes in float16 and returns float16 (spacing 1.2e-4 near the largest output, 0.15-0.22);
            // Minnow computes in float32 after the upcast: seen at most 3.1e-5 apart over five seeds
            "squeezenet1.0-fp16.onnx", new Case(ReadOptions.defaults().withUpcastHalf(true), -50, 50, 1e-2, 2e-4, 0, 0),
            // ORT's fused integer kernels requantize between layers where Minnow runs the QDQ float path, so
            // a rounding step apart early can grow: over five seeds 0-8 of 1,000 outputs differed, by at most
            // 0.031 (4.8% of the largest output) and 8 steps of 66-125 (8%), top-1 always equal
            "mobilenet_v2_1.0_224_int8_per_tensor.onnx", new Case(ReadOptions.defaults(), 0, 256, 0, 1e-6, 0.01, 0.15),
            "mobilenet_v1_0.5_128_quant.onnx", new Case(ReadOptions.defaults(), 0, 256, 0, 1, 0.01, 0.15));

    /** A model that cannot be imported today, with the exception it must raise and a fragment of its message. */
    record KnownFailure(Class<? extends MinnowException> type, String messageFragment, String reason) {
    }

    /** Empty today: every shipped model imports. Add entries here rather than skipping. */
    static final Map<String, KnownFailure> KNOWN_FAILURES = Map.of();

    static Path modelsDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared/models");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        return null;
    }

    static Path model(String name) {
        Path d = modelsDir();
        return d == null || !Files.isRegularFile(d.resolve(name)) ? null : d.resolve(name);
    }

    static List<Path> shippedModels(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        }
    }

    @Test
    void everyShippedModelImportsAndMatchesOnnxRuntime() throws Exception {
        Path dir = modelsDir();
        assumeTrue(dir != null, "skipped: no shared/models folder beside the checkout (the shipped models are not here)");
        List<Path> models = shippedModels(dir);
        assertFalse(models.isEmpty(), dir + " holds no .onnx models");
        for (String name : CASES.keySet()) {
            assertTrue(Files.isRegularFile(dir.resolve(name)), name + " is missing from " + dir);
        }
        List<String> problems = new ArrayList<>();
        for (Path m : models) {
            String name = m.getFileName().toString();
            try {
                check(m, CASES.getOrDefault(name, Case.DEFAULT), KNOWN_FAILURES.get(name));
            } catch (AssertionError | Exception e) {
                problems.add(name + ": " + e);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The checks themselves can fail: a difference beyond tolerance, and a known failure that now imports. */
    @Test
    void checksCatchADifferenceAndAStaleKnownFailure() {
        Case exact = new Case(ReadOptions.defaults(), 0, 1, 0, 0, 0, 0);
        AssertionError e = assertThrows(AssertionError.class, () -> compare("out", new double[] {1, 2}, new double[] {1, 2.01}, exact));
        assertTrue(e.getMessage().contains("ORT 2.0 vs Minnow 2.01"), e.getMessage());
        Case someOutliers = new Case(ReadOptions.defaults(), 0, 1, 0, 0, 0.5, 0.5);
        compare("out", new double[] {1, 2}, new double[] {1, 2.01}, someOutliers);
        assertThrows(AssertionError.class, () -> compare("out", new double[] {1, 2}, new double[] {1.01, 1.0}, someOutliers));
        assertThrows(AssertionError.class, () -> compare("out", new double[] {1, 2, 0, 0}, new double[] {3, 2, 0, 0}, someOutliers));
        Path m = model("mnist-cntk.onnx");
        assumeTrue(m != null, "skipped: no shared/models folder beside the checkout");
        KnownFailure stale = new KnownFailure(dev.minnow.errors.UnsupportedOpException.class, "Plus", "pretend");
        AssertionError s = assertThrows(AssertionError.class, () -> check(m, CASES.get("mnist-cntk.onnx"), stale));
        assertTrue(s.getMessage().contains("now imports"), s.getMessage());
    }

    static void check(Path m, Case c, KnownFailure known) throws Exception {
        String name = m.getFileName().toString();
        if (known != null) {
            MinnowException e = assertThrows(known.type(), () -> Onnx.read(m, c.options()),
                    name + " is listed as a known failure (" + known.reason() + ") but now imports: remove it from KNOWN_FAILURES");
            assertTrue(e.getMessage().contains(known.messageFragment()), name + " fails differently than listed: " + e.getMessage());
            return;
        }
        Graph g = Onnx.read(m, c.options());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(m.toString(), new OrtSession.SessionOptions())) {
            SplittableRandom r = new SplittableRandom(name.hashCode());
            Map<String, Tensor> feeds = new HashMap<>();
            Map<String, OnnxTensor> ortFeeds = new HashMap<>();
            try {
                for (Map.Entry<String, NodeInfo> in : s.getInputInfo().entrySet()) {
                    TensorInfo info = (TensorInfo) in.getValue().getInfo();
                    long[] dims = info.getShape().clone();
                    for (int i = 0; i < dims.length; i++) {
                        dims[i] = dims[i] < 0 ? 1 : dims[i];
                    }
                    Value v = g.inputs().stream().filter(x -> x.name().equals(in.getKey())).findFirst()
                            .orElseThrow(() -> new AssertionError(name + ": Minnow's graph lacks input " + in.getKey()));
                    feed(env, in.getKey(), info.type, dims, v.type().dtype(), c, r, feeds, ortFeeds);
                }
                Map<String, Tensor> got = GraphRunner.run(g, feeds);
                try (OrtSession.Result res = s.run(ortFeeds)) {
                    assertEquals(res.size(), g.outputs().size(), name + ": number of outputs");
                    for (int k = 0; k < res.size(); k++) {
                        String out = g.outputs().get(k).name();
                        double[] ref = values((OnnxTensor) res.get(out).orElseThrow());
                        Tensor t = got.get(out);
                        double[] mine = new double[(int) t.size()];
                        for (int i = 0; i < mine.length; i++) {
                            mine[i] = t.getDouble(i);
                        }
                        compare(name + " output '" + out + "'", ref, mine, c);
                    }
                }
            } finally {
                for (OnnxTensor t : ortFeeds.values()) {
                    t.close();
                }
            }
        }
    }

    private static void feed(OrtEnvironment env, String name, OnnxJavaType ortType, long[] dims, DType minnowType, Case c,
            SplittableRandom r, Map<String, Tensor> feeds, Map<String, OnnxTensor> ortFeeds) throws Exception {
        int n = 1;
        int[] idims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            idims[i] = (int) dims[i];
            n *= idims[i];
        }
        Shape shape = Shape.of(idims);
        switch (ortType) {
            case FLOAT, FLOAT16 -> {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) (c.lo() + r.nextDouble() * (c.hi() - c.lo()));
                }
                if (ortType == OnnxJavaType.FLOAT16) {
                    ByteBuffer b = ByteBuffer.allocateDirect(n * 2).order(ByteOrder.nativeOrder());
                    for (int i = 0; i < n; i++) {
                        short h = Float.floatToFloat16(x[i]);
                        x[i] = Float.float16ToFloat(h); // both engines see the same rounded values
                        b.putShort(h);
                    }
                    b.rewind();
                    ortFeeds.put(name, OnnxTensor.createTensor(env, b, dims, OnnxJavaType.FLOAT16));
                } else {
                    ortFeeds.put(name, OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x.clone()), dims));
                }
                assertEquals(DType.FLOAT32, minnowType, name + ": Minnow's input type");
                feeds.put(name, Tensor.of(shape, x));
            }
            case UINT8, INT8 -> {
                byte[] x = new byte[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (byte) (c.lo() + r.nextInt((int) (c.hi() - c.lo())));
                }
                ByteBuffer b = ByteBuffer.allocateDirect(n);
                b.put(x).rewind();
                ortFeeds.put(name, OnnxTensor.createTensor(env, b, dims, ortType));
                feeds.put(name, Tensor.wrap(minnowType, shape, x));
            }
            default -> fail(name + ": add feeding for ORT input type " + ortType);
        }
    }

    private static double[] values(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        double[] v;
        switch (info.type) {
            case FLOAT -> {
                java.nio.FloatBuffer fb = t.getFloatBuffer();
                v = new double[fb.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = fb.get(i);
                }
            }
            case FLOAT16 -> {
                java.nio.ShortBuffer sb = t.getShortBuffer();
                v = new double[sb.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.float16ToFloat(sb.get(i));
                }
            }
            case UINT8, INT8 -> {
                ByteBuffer bb = t.getByteBuffer();
                v = new double[bb.remaining()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = info.type == OnnxJavaType.UINT8 ? bb.get(i) & 0xff : bb.get(i);
                }
            }
            default -> throw new AssertionError("add reading of ORT output type " + info.type);
        }
        return v;
    }

    static void compare(String what, double[] ort, double[] minnow, Case c) {
        assertEquals(ort.length, minnow.length, what + ": number of values");
        double max = 0;
        for (double v : ort) {
            max = Math.max(max, Math.abs(v));
        }
        int outliers = 0;
        for (int i = 0; i < ort.length; i++) {
            double d = Math.abs(ort[i] - minnow[i]);
            if (d <= c.atol() + c.rtol() * Math.abs(ort[i])) {
                continue;
            }
            outliers++;
            if (!(d <= c.outlierOfMax() * max) || outliers > c.outlierFraction() * ort.length) {
                throw new AssertionError(what + " value " + i + ": ORT " + ort[i] + " vs Minnow " + minnow[i] + " ("
                        + outliers + " values beyond tolerance so far, of " + ort.length + ")");
            }
        }
        if (outliers > 0) {
            assertEquals(argmax(ort), argmax(minnow), what + ": top-1 index (" + outliers + " values differ)");
        }
    }

    private static int argmax(double[] a) {
        int b = 0;
        for (int i = 1; i < a.length; i++) {
            b = a[i] > a[b] ? i : b;
        }
        return b;
    }
}
