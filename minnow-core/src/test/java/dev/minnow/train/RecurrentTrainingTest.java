package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An imported-style recurrent graph trains through the executor: rows of a 1x4x5 image as a
 * sequence (batch first), a recurrent layer whose Y and Y_c are unused, then a dense layer.
 */
class RecurrentTrainingTest {
    static Graph graph(String type, long seed) {
        int g = switch (type) {
            case "RNN" -> 1;
            case "GRU" -> 3;
            default -> 4;
        };
        int hid = 3;
        SplittableRandom r = new SplittableRandom(seed);
        Graph graph = new Graph("recurrent-" + type);
        graph.addInput(new Value("image", new TensorType(dev.minnow.tensor.DType.FLOAT32, Shape.of(-1, 1, 4, 5))));
        graph.addInitializer("shape", Tensor.ofLongs(Shape.of(3), 0, 4, 5));
        graph.addInitializer("W", TestGraphs.random(r, 0.5, 2, g * hid, 5));
        graph.addInitializer("R", TestGraphs.random(r, 0.5, 2, g * hid, hid));
        graph.addInitializer("B", TestGraphs.random(r, 0.5, 2, 2 * g * hid));
        graph.addInitializer("fcW", TestGraphs.random(r, 0.5, 3, 2 * hid));
        graph.addInitializer("fcB", TestGraphs.random(r, 0.5, 3));
        OpRegistry ops = OpRegistry.global();
        graph.addNode(new Node("reshape", ops.create("Reshape", new Attributes()), List.of("image", "shape"), List.of("seq")));
        List<String> outs = type.equals("LSTM") ? List.of("y", "yh", "yc") : List.of("y", "yh");
        graph.addNode(new Node("rec", ops.create(type, Attributes.of("hidden_size", (long) hid, "layout", 1L,
                "direction", "bidirectional")), List.of("seq", "W", "R", "B"), outs));
        graph.addNode(new Node("flat", ops.create("Flatten", new Attributes()), List.of("yh"), List.of("h")));
        graph.addNode(new Node("fc", ops.create("Gemm", Attributes.of("transB", 1L)), List.of("h", "fcW", "fcB"), List.of("logits")));
        graph.addOutput(new Value("logits", new TensorType(dev.minnow.tensor.DType.FLOAT32, Shape.of(-1, 3))));
        return graph.validate();
    }

    @Test
    void parameterGradientsThroughTheExecutorMatchFiniteDifferences() {
        for (String type : new String[] {"RNN", "GRU", "LSTM"}) {
            Graph g = graph(type, 4);
            TrainingExecutor ex = new TrainingExecutor(g);
            SplittableRandom r = new SplittableRandom(9);
            Tensor x = TestGraphs.random(r, 1, 3, 1, 4, 5);
            Tensor out = ex.forward(x, true, 0);
            float[] w = TestGraphs.random(r, 1, out.shape().dims()).floats();
            Map<String, Tensor> grads = ex.backward(Tensor.of(out.shape(), w.clone()));
            for (String p : List.of("W", "R", "B", "fcW")) {
                float[] v = g.floatInitializers().get(p).floats();
                float[] analytic = grads.get(p).floats();
                for (int i = 0; i < v.length; i++) {
                    double numeric = TestGraphs.numericDerivative(() -> ex.forward(x, true, 0), w, v, i, 1e-3);
                    assertEquals(numeric, analytic[i], 1e-2 * Math.max(1, Math.abs(numeric)), type + " " + p + "[" + i + "]");
                }
            }
            assertTrue(grads.containsKey("W") && grads.containsKey("R") && grads.containsKey("B"), type);
        }
    }
}
