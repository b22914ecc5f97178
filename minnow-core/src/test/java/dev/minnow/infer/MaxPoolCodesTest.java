package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MaxPool over int8 / uint8 codes in the inference executor against the op on random shapes. */
class MaxPoolCodesTest {
    @Test
    void executorKernelEqualsTheOp() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int t = 0; t < 60; t++) {
            DType type = rnd.nextBoolean() ? DType.UINT8 : DType.INT8;
            int k = 1 + rnd.nextInt(3);
            int stride = 1 + rnd.nextInt(2);
            int pad = rnd.nextInt(k);
            Shape shape = Shape.of(1 + rnd.nextInt(3), 1 + rnd.nextInt(5), k + rnd.nextInt(9), k + rnd.nextInt(9));
            Attributes attrs = Attributes.of("kernel_shape", new int[] {k, k}, "strides", new int[] {stride, stride},
                    "pads", new int[] {pad, pad, pad, pad});
            Graph g = new Graph("pool");
            g.addInput(new Value("x", new TensorType(type, shape)));
            g.addNode(new Node("pool", OpRegistry.global().create("MaxPool", attrs), List.of("x"), List.of("y")));
            Tensor x = Tensor.zeros(type, shape);
            for (int i = 0; i < x.size(); i++) {
                x.bytes()[i] = (byte) rnd.nextInt(256);
            }
            Tensor want = OpRegistry.global().create("MaxPool", attrs).forward(OpContext.inference(), new Tensor[] {x})[0];
            g.addOutput(new Value("y", new TensorType(type, want.shape())));
            g.validate();
            Tensor got = InferenceExecutor.of(g).run(x);
            assertEquals(type, got.dtype());
            assertEquals(want.shape(), got.shape());
            assertArrayEquals(want.bytes(), got.bytes(), "trial " + t + " " + type + " " + shape + " k" + k + " s" + stride + " p" + pad);
        }
    }
}
