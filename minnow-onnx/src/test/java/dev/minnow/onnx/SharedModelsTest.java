package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Real exported models from ../shared/models: Minnow's import runs them like ONNX Runtime runs the original. */
class SharedModelsTest {
    static Path model(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("shared/models").resolve(name);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        return null;
    }

    private static float[] ort(Path model, String input, float[] x, long[] shape, boolean half) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            OnnxTensor in;
            if (half) {
                ByteBuffer b = ByteBuffer.allocateDirect(x.length * 2).order(ByteOrder.nativeOrder());
                for (float v : x) {
                    b.putShort(Float.floatToFloat16(v));
                }
                b.rewind();
                in = OnnxTensor.createTensor(env, b, shape, ai.onnxruntime.OnnxJavaType.FLOAT16);
            } else {
                in = OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x), shape);
            }
            try (in; OrtSession.Result r = s.run(Map.of(input, in))) {
                OnnxTensor out = (OnnxTensor) r.get(0);
                if (half) {
                    java.nio.ShortBuffer sb = out.getShortBuffer();
                    float[] f = new float[sb.remaining()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = Float.float16ToFloat(sb.get(i));
                    }
                    return f;
                }
                java.nio.FloatBuffer fb = out.getFloatBuffer();
                float[] f = new float[fb.remaining()];
                fb.get(f);
                return f;
            }
        }
    }

    private static void compare(float[] ort, float[] minnow, double rtol, double atol) {
        assertTrue(ort.length == minnow.length, ort.length + " vs " + minnow.length);
        for (int i = 0; i < ort.length; i++) {
            assertTrue(Math.abs(ort[i] - minnow[i]) <= atol + rtol * Math.abs(ort[i]),
                    "output " + i + ": ORT " + ort[i] + " vs Minnow " + minnow[i]);
        }
    }

    @Test
    void mnistCntkOpset7MatchesOnnxRuntime() throws Exception {
        Path m = model("mnist-cntk.onnx");
        assumeTrue(m != null, "shared models not found");
        Graph g;
        try {
            g = Onnx.read(m);
        } catch (MinnowException e) {
            assumeTrue(false, "not importable yet: " + e.getMessage());
            return;
        }
        Value in = g.inputs().get(0);
        float[] x = new float[28 * 28];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 255);
        }
        float[] minnow = GraphRunner.run(g, Map.of(in.name(), Tensor.of(Shape.of(1, 1, 28, 28), x))).get(g.outputs().get(0).name()).floats();
        compare(ort(m, in.name(), x, new long[] {1, 1, 28, 28}, false), minnow, 1e-4, 1e-3);
    }

    @Test
    void squeezenetFp16UpcastMatchesOnnxRuntime() throws Exception {
        Path m = model("squeezenet1.0-fp16.onnx");
        assumeTrue(m != null, "shared models not found");
        Graph g;
        try {
            g = Onnx.read(m, ReadOptions.defaults().withUpcastHalf(true));
        } catch (MinnowException e) {
            assumeTrue(false, "not importable yet: " + e.getMessage());
            return;
        }
        Value in = g.inputs().get(0);
        assertTrue(in.type().dtype() == DType.FLOAT32);
        int[] dims = in.type().shape().dims();
        dims[0] = 1;
        Shape shape = Shape.of(dims);
        float[] x = new float[(int) shape.size()];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 100 - 50);
        }
        float[] minnow = GraphRunner.run(g, Map.of(in.name(), Tensor.of(shape, x))).get(g.outputs().get(0).name()).floats();
        float[] ref = ort(m, in.name(), x, shape.dimsLong(), true);
        // ORT computes in float16 (3 decimal digits); Minnow in float32 after the upcast
        compare(ref, minnow, 3e-2, 3e-2 * max(ref));
        assertArrayEquals(new int[] {argmax(ref)}, new int[] {argmax(minnow)});
    }

    private static double max(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static int argmax(float[] a) {
        int b = 0;
        for (int i = 1; i < a.length; i++) {
            b = a[i] > a[b] ? i : b;
        }
        return b;
    }
}
