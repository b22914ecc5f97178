package dev.minnow.infer.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.Value;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.graph.TensorType;
import dev.minnow.train.TrainingExecutor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The per-channel broadcast Add (a [1, C, 1, 1] constant, what a removed residual block leaves),
 * with and without a following Relu (fused by the inference executor), against the op's own
 * broadcasting loops on random shapes, in either input order and for a rank-3 constant.
 */
class AddKernelsTest {
    private static Graph graph(int n, int c, int h, int w, int[] constShape, boolean constFirst, boolean relu, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Graph g = new Graph("add-per-channel");
        g.setInputs(List.of(new Value("x", new TensorType(DType.FLOAT32, Shape.of(n, c, h, w)))));
        float[] k = new float[c];
        for (int i = 0; i < c; i++) {
            k[i] = (float) r.nextGaussian();
        }
        g.addInitializer("k", Tensor.of(Shape.of(constShape), k));
        List<String> in = constFirst ? List.of("k", "x") : List.of("x", "k");
        Node add = new Node("add", OpRegistry.global().create("Add", new Attributes()), in, List.of(relu ? "s" : "y"));
        g.setNodes(relu ? List.of(add, new Node("relu", OpRegistry.global().create("Relu", new Attributes()),
                List.of("s"), List.of("y"))) : List.of(add));
        g.setOutputs(List.of(new Value("y", null)));
        return g.validate();
    }

    @Test
    void perChannelAddMatchesTheBroadcastingOp() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 24; trial++) {
            int n = 1 + r.nextInt(4);
            int c = 1 + r.nextInt(40);
            int h = 1 + r.nextInt(9);
            int w = 1 + r.nextInt(9);
            int[] shape = trial % 3 == 2 ? new int[] {c, 1, 1} : new int[] {1, c, 1, 1};
            Graph g = graph(n, c, h, w, shape, trial % 2 == 1, trial % 4 < 2, trial);
            Tensor x = Tensor.zeros(Shape.of(n, c, h, w));
            for (int i = 0; i < x.size(); i++) {
                x.floats()[i] = (float) r.nextGaussian();
            }
            float[] want = new TrainingExecutor(g).predict(x).floats();
            Map<String, Tensor> got = InferenceExecutor.of(g).run(Map.of("x", x));
            assertEquals(Shape.of(n, c, h, w), got.get("y").shape());
            assertArrayEquals(want, got.get("y").floats(), 0f, "trial " + trial + ": " + n + "x" + c + "x" + h + "x" + w);
        }
    }
}
