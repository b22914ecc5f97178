package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphSummary;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Zoo models export to plain ONNX that ONNX Runtime (an independent implementation) runs
 * to the same logits as Minnow, and that Minnow reads back unchanged. Batch norm statistics
 * are randomized first so that the comparison exercises them (fresh ones are the identity).
 */
class ZooOnnxTest {

    @ParameterizedTest
    @CsvSource({"lenet-300-100, 2", "lenet5, 2", "resnet20, 2", "mobilenetv2-cifar, 2", "squeezenet1.1, 1", "googlenet, 1",
            "mobilenetv2, 1", "resnet18, 1", "vgg-small, 2"})
    void onnxRuntimeAgreesAndTheModelReadsBack(String name, int batch) throws OrtException {
        Graph g = Zoo.build(name, 4);
        randomizeBatchNorm(g, new SplittableRandom(9));
        Shape in = g.inputs().get(0).type().shape().withDim(0, batch);
        float[] x = new float[in.sizeInt()];
        SplittableRandom r = new SplittableRandom(10);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        float[] minnow = GraphRunner.run(g, Map.of("input", Tensor.of(in, x))).get("logits").floats();

        byte[] bytes = Onnx.toBytes(g);
        float[] ort = runOrt(bytes, x, in.dimsLong());
        assertClose(minnow, ort, name + " vs ONNX Runtime");

        Graph back = Onnx.fromBytes(bytes);
        assertEquals(GraphSummary.of(g).params(), GraphSummary.of(back).params());
        assertEquals(g.macs(), back.macs());
        assertEquals(g.initializers().keySet(), back.initializers().keySet());
        float[] again = GraphRunner.run(back, Map.of("input", Tensor.of(in, x))).get("logits").floats();
        assertClose(minnow, again, name + " read back");
    }

    private static float[] runOrt(byte[] model, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(model, o);
                    OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                    OrtSession.Result res = s.run(Map.of("input", t))) {
                float[][] out = (float[][]) res.get("logits").orElseThrow().getValue();
                float[] flat = new float[out.length * out[0].length];
                for (int i = 0; i < out.length; i++) {
                    System.arraycopy(out[i], 0, flat, i * out[i].length, out[i].length);
                }
                return flat;
            }
        }
    }

    private static void randomizeBatchNorm(Graph g, SplittableRandom r) {
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                for (int i = 1; i <= 4; i++) {
                    float[] a = g.initializers().get(n.input(i)).floats();
                    for (int j = 0; j < a.length; j++) {
                        a[j] = (float) (i == 4 ? r.nextDouble(0.5, 2) : i == 1 ? r.nextDouble(0.5, 1.5) : r.nextDouble(-0.2, 0.2));
                    }
                }
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (1 + scale), what + " at " + i);
        }
    }
}
