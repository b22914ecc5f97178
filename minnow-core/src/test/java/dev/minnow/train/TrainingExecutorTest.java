package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingExecutorTest {
    /** x -> fc1 -> relu -> a; a feeds fc2 and fc3 (fc3 shares fc2's weight); out = fc2 + fc3. */
    static Graph fanOutGraph() {
        SplittableRandom r = new SplittableRandom(7);
        Graph g = new Graph("fan-out");
        g.addInput(new Value("x", TensorType.f32(-1, 4)));
        g.addInitializer("w1", TestGraphs.random(r, 0.8, 5, 4));
        g.addInitializer("b1", TestGraphs.random(r, 0.3, 5));
        g.addInitializer("w2", TestGraphs.random(r, 0.8, 3, 5));
        g.addInitializer("b2", TestGraphs.random(r, 0.3, 3));
        g.addInitializer("b3", TestGraphs.random(r, 0.3, 3));
        // nodes deliberately out of order: validate() must sort them
        g.addNode(new Node("add", op("Add"), List.of("p", "q"), List.of("out")));
        g.addNode(new Node("fc1", dense(), List.of("x", "w1", "b1"), List.of("h")));
        g.addNode(new Node("relu", op("Relu"), List.of("h"), List.of("a")));
        g.addNode(new Node("fc2", dense(), List.of("a", "w2", "b2"), List.of("p")));
        g.addNode(new Node("fc3", dense(), List.of("a", "w2", "b3"), List.of("q")));
        g.addOutput(new Value("out", TensorType.f32(-1, 3)));
        return g;
    }

    private static Op op(String type) {
        return OpRegistry.global().create(type, new Attributes());
    }

    private static Op dense() {
        return OpRegistry.global().create("Gemm", Attributes.of("transB", 1L));
    }

    @Test
    void parameterGradientsMatchFiniteDifferencesWithFanOut() {
        Graph g = fanOutGraph();
        TrainingExecutor ex = new TrainingExecutor(g);
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = TestGraphs.random(r, 1, 6, 4);
        float[] w = TestGraphs.random(r, 1, 6, 3).floats();
        ex.forward(x, true, 1);
        Map<String, Tensor> grads = ex.backward(Tensor.of(Shape.of(6, 3), w.clone()));
        assertEquals(List.of("w1", "b1", "w2", "b2", "b3"), List.copyOf(grads.keySet()));
        double eps = 1e-3;
        for (var e : g.floatInitializers().entrySet()) {
            float[] p = e.getValue().floats();
            float[] analytic = grads.get(e.getKey()).floats();
            for (int i = 0; i < p.length; i++) {
                double numeric = TestGraphs.numericDerivative(() -> ex.predict(x), w, p, i, eps);
                assertEquals(numeric, analytic[i], 2e-3 * Math.max(1, Math.abs(numeric)), e.getKey() + "[" + i + "]");
            }
        }
    }

    @Test
    void inferenceKeepsNoActivationsAndMatchesTrainingForward() {
        TrainingExecutor ex = new TrainingExecutor(fanOutGraph());
        Tensor x = TestGraphs.random(new SplittableRandom(5), 1, 2, 4);
        Tensor inferred = ex.predict(x);
        assertEquals(0, ex.heldActivations());
        Tensor trained = ex.forward(x, true, 9);
        assertTrue(ex.heldActivations() >= 6, "training forward keeps the activations for backward");
        assertArrayEquals(trained.floats(), inferred.floats());
        ex.backward(Tensor.of(Shape.of(2, 3), new float[6]));
        assertEquals(0, ex.heldActivations());
        assertThrows(IllegalStateException.class, () -> ex.backward(Tensor.of(Shape.of(2, 3), new float[6])));
    }

    @Test
    void trainingContextsAreSeededPerStep() {
        Graph g = new Graph("dropout");
        g.addInput(new Value("x", TensorType.f32(-1, 64)));
        g.addNode(new Node("drop", op("Dropout"), List.of("x"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 64)));
        TrainingExecutor ex = new TrainingExecutor(g);
        Tensor x = Tensor.of(Shape.of(1, 64), filled(64, 1f));
        float[] a = ex.forward(x, true, 11).floats();
        float[] b = ex.forward(x, true, 11).floats();
        float[] c = ex.forward(x, true, 12).floats();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertArrayEquals(x.floats(), ex.predict(x).floats());
    }

    @Test
    void accumulatedMicroBatchesGiveTheFullBatchGradient() {
        TrainingExecutor ex = new TrainingExecutor(fanOutGraph());
        SplittableRandom r = new SplittableRandom(8);
        Tensor x = TestGraphs.random(r, 1, 4, 4);
        float[] w = TestGraphs.random(r, 1, 4, 3).floats();
        // loss = mean over the batch of sum_j w_ij out_ij, so d loss / d out = w / N
        ex.forward(x, true, 0);
        Map<String, Tensor> full = ex.backward(Tensor.of(Shape.of(4, 3), scaled(w, 0, 12, 0.25f)));
        GradientAccumulator acc = new GradientAccumulator();
        for (int half = 0; half < 2; half++) {
            Tensor xh = Tensor.of(Shape.of(2, 4), Arrays.copyOfRange(x.floats(), half * 8, half * 8 + 8));
            ex.forward(xh, true, 0);
            acc.add(ex.backward(Tensor.of(Shape.of(2, 3), scaled(w, half * 6, half * 6 + 6, 0.5f))));
        }
        assertEquals(2, acc.microBatches());
        Map<String, Tensor> mean = acc.mean();
        for (String p : full.keySet()) {
            float[] f = full.get(p).floats();
            float[] m = mean.get(p).floats();
            for (int i = 0; i < f.length; i++) {
                assertEquals(f[i], m[i], 1e-5, p + "[" + i + "]");
            }
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static float[] scaled(float[] w, int from, int to, float s) {
        float[] r = Arrays.copyOfRange(w, from, to);
        for (int i = 0; i < r.length; i++) {
            r[i] *= s;
        }
        return r;
    }
}
