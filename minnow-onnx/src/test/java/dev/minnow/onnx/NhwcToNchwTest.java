package dev.minnow.onnx;

import static dev.minnow.onnx.Models.model;
import static dev.minnow.onnx.Models.node;
import static dev.minnow.onnx.Models.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NhwcToNchwTest {
    /** x[N,4,5,3] -> Mul(2) -> Transpose(0,3,1,2) -> Relu -> y[N,3,4,5], as tf2onnx writes it. */
    private static byte[] nhwcModel(long[] perm) {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(value("x", 1, -1, 4, 5, 3))
                .addInitializer(TensorProto.newBuilder().setName("two").setDataType(1).addFloatData(2))
                .addNode(node("mul", "Mul", List.of("x", "two"), List.of("m")))
                .addNode(node("t", "Transpose", List.of("m"), List.of("nchw"), Models.ints("perm", perm)))
                .addNode(node("relu", "Relu", List.of("nchw"), List.of("y")))
                .addOutput(value("y", 1, -1, 3, 4, 5));
        return model(13, g).toByteArray();
    }

    @Test
    void nhwcInputBecomesNchwAndComputesTheSame() {
        for (String op : List.of("Mul", "Transpose", "Relu")) {
            assumeTrue(OpRegistry.global().supports(op), op + " not on main yet");
        }
        byte[] bytes = nhwcModel(new long[] {0, 3, 1, 2});
        Graph original = Onnx.fromBytes(bytes);
        Graph canonical = Onnx.fromBytes(bytes, ReadOptions.defaults().withNchwInputs(true));
        assertEquals(Shape.of(-1, 3, 4, 5), canonical.inputs().get(0).type().shape());
        assertEquals(List.of("Mul", "Relu"), canonical.nodes().stream().map(Node::opType).toList());
        Tensor nhwc = Tensor.zeros(Shape.of(2, 4, 5, 3));
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < nhwc.size(); i++) {
            nhwc.floats()[i] = (float) r.nextGaussian();
        }
        Tensor nchw = Tensor.zeros(Shape.of(2, 3, 4, 5));
        for (int n = 0; n < 2; n++) {
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 5; w++) {
                    for (int c = 0; c < 3; c++) {
                        nchw.floats()[((n * 3 + c) * 4 + h) * 5 + w] = nhwc.floats()[((n * 4 + h) * 5 + w) * 3 + c];
                    }
                }
            }
        }
        float[] expected = GraphRunner.run(original, Map.of("x", nhwc)).get("y").floats();
        float[] got = GraphRunner.run(canonical, Map.of("x", nchw)).get("y").floats();
        assertArrayEquals(expected, got);
    }

    @Test
    void otherPermutationsAreLeftAlone() {
        assumeTrue(OpRegistry.global().supports("Transpose"), "Transpose not on main yet");
        byte[] bytes = nhwcModel(new long[] {0, 3, 2, 1});
        Graph g = Onnx.fromBytes(bytes, ReadOptions.defaults().withNchwInputs(true));
        assertEquals(Shape.of(-1, 4, 5, 3), g.inputs().get(0).type().shape());
        assertEquals(3, g.nodes().size());
    }
}
