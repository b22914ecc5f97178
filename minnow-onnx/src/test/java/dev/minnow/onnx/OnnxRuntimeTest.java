package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Graphs written by Minnow run in ONNX Runtime (an outside reference) with the same results as Minnow's ops. */
class OnnxRuntimeTest {
    private static Tensor random(SplittableRandom r, int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    /** x[N,2,8,8] -> Conv 3x3 pad 1 -> Relu -> MaxPool 2x2 -> Flatten -> Gemm(64->10) -> Add(bias2) -> y */
    private static Graph cnn() {
        OpRegistry ops = OpRegistry.global();
        for (String op : List.of("Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Add")) {
            assumeTrue(ops.supports(op), op + " is not on main yet");
        }
        SplittableRandom r = new SplittableRandom(3);
        Graph g = new Graph("cnn");
        g.addInput(new Value("x", TensorType.f32(-1, 2, 8, 8)));
        g.addInitializer("w", random(r, 4, 2, 3, 3));
        g.addInitializer("b", random(r, 4));
        g.addInitializer("fc_w", random(r, 10, 64));
        g.addInitializer("fc_b", random(r, 10));
        g.addInitializer("bias2", random(r, 10));
        g.addNode(new Node("conv", ops.create("Conv", Attributes.of("kernel_shape", new long[] {3, 3},
                "pads", new long[] {1, 1, 1, 1}, "strides", new long[] {1, 1})), List.of("x", "w", "b"), List.of("c")));
        g.addNode(new Node("relu", ops.create("Relu", new Attributes()), List.of("c"), List.of("r")));
        g.addNode(new Node("pool", ops.create("MaxPool", Attributes.of("kernel_shape", new long[] {2, 2},
                "strides", new long[] {2, 2})), List.of("r"), List.of("p")));
        g.addNode(new Node("flat", ops.create("Flatten", Attributes.of("axis", 1L)), List.of("p"), List.of("f")));
        g.addNode(new Node("fc", ops.create("Gemm", Attributes.of("transB", 1L)), List.of("f", "fc_w", "fc_b"), List.of("z")));
        g.addNode(new Node("add", ops.create("Add", new Attributes()), List.of("z", "bias2"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 10)));
        return g.validate();
    }

    @Test
    void onnxRuntimeAgreesWithMinnowOnAWrittenCnn() throws Exception {
        Graph g = cnn();
        Tensor x = random(new SplittableRandom(5), 3, 2, 8, 8);
        float[] minnow = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        byte[] model = Onnx.toBytes(g);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), new long[] {3, 2, 8, 8});
                OrtSession.Result res = s.run(Map.of("x", in))) {
            OnnxTensor out = (OnnxTensor) res.get(0);
            assertArrayEquals(new long[] {3, 10}, out.getInfo().getShape());
            float[] ort = new float[30];
            out.getFloatBuffer().get(ort);
            assertEquals(ort.length, minnow.length);
            for (int i = 0; i < ort.length; i++) {
                assertTrue(Math.abs(ort[i] - minnow[i]) <= 1e-4 * Math.max(1, Math.abs(ort[i])),
                        "output " + i + ": ORT " + ort[i] + " vs Minnow " + minnow[i]);
            }
        }
        Graph back = Onnx.fromBytes(model);
        float[] again = GraphRunner.run(back, Map.of("x", x)).get("y").floats();
        assertArrayEquals(minnow, again, "reading the written model back gives the same function");
        assertArrayEquals(model, Onnx.toBytes(back), "bytes stable across a round trip");
    }

    /** Nodes built in Java carry no "_opset" and follow the newest forms; the writer converts them to opset 17. */
    @Test
    void newestFormsAreWrittenAsOpset17() throws Exception {
        OpRegistry ops = OpRegistry.global();
        for (String op : List.of("ReduceMean", "Squeeze", "Softmax")) {
            assumeTrue(ops.supports(op), op + " is not on main yet");
        }
        Graph g = new Graph("forms");
        g.addInput(new Value("x", TensorType.f32(-1, 3, 4)));
        g.addInitializer("axes", Tensor.ofLongs(Shape.of(1), 2));
        g.addInitializer("sq", Tensor.ofLongs(Shape.of(1), 2));
        g.addNode(new Node("mean", ops.create("ReduceMean", Attributes.of("keepdims", 1L)), List.of("x", "axes"), List.of("m")));
        g.addNode(new Node("squeeze", ops.create("Squeeze", new Attributes()), List.of("m", "sq"), List.of("s")));
        g.addNode(new Node("softmax", ops.create("Softmax", new Attributes()), List.of("s"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 3)));
        g.validate();
        Tensor x = random(new SplittableRandom(9), 2, 3, 4);
        float[] minnow = GraphRunner.run(g, Map.of("x", x)).get("y").floats();
        byte[] model = Onnx.toBytes(g);
        assertEquals(17, dev.minnow.onnx.proto.OnnxProto.ModelProto.parseFrom(model).getOpsetImport(0).getVersion());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), new long[] {2, 3, 4});
                OrtSession.Result res = s.run(Map.of("x", in))) {
            float[] ort = new float[6];
            ((OnnxTensor) res.get(0)).getFloatBuffer().get(ort);
            for (int i = 0; i < ort.length; i++) {
                assertTrue(Math.abs(ort[i] - minnow[i]) <= 1e-4 * Math.max(1, Math.abs(ort[i])),
                        "output " + i + ": ORT " + ort[i] + " vs Minnow " + minnow[i]);
            }
        }
        Graph back = Onnx.fromBytes(model);
        assertArrayEquals(minnow, GraphRunner.run(back, Map.of("x", x)).get("y").floats());
    }
}
