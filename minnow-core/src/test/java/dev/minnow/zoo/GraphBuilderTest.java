package dev.minnow.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {
    @Test
    void namesNodesAndWeightsPerScope() {
        var b = GraphBuilder.named("t", 3);
        Value x = b.input("input", Shape.of(-1, 3, 8, 8));
        x = b.relu(b.batchNorm(b.conv(x, 4, 3, 1, 1, 1, false)));
        try (var s = b.scope("layer1")) {
            try (var s0 = b.scope("0")) {
                x = b.batchNorm(b.conv(x, 4, 3, 1, 1));
            }
        }
        x = b.conv(x, 5, 1);
        b.output("logits", b.flatten(b.globalAvgPool(x)));
        Graph g = b.build();
        assertEquals(List.of("conv1", "bn1", "relu1", "layer1.0.conv1", "layer1.0.bn1", "conv2", "gap1", "flatten1"),
                g.nodes().stream().map(Node::name).toList());
        assertEquals(List.of("conv1.weight", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var", "layer1.0.conv1.weight",
                "layer1.0.conv1.bias", "layer1.0.bn1.scale", "layer1.0.bn1.bias", "layer1.0.bn1.mean", "layer1.0.bn1.var",
                "conv2.weight", "conv2.bias"), List.copyOf(g.initializers().keySet()));
        assertEquals(List.of("logits"), g.nodes().get(g.nodes().size() - 1).outputs());
        assertEquals(Shape.of(-1, 5), g.type("logits").shape());
    }

    @Test
    void convAndDenseAttributesAreOnnxAndWeightsAreOutByIn() {
        var b = GraphBuilder.named("t");
        Value x = b.input("input", Shape.of(-1, 6, 9, 9));
        Value c = b.conv(x, 4, 3, 2, 1, 2, true);
        Value d = b.dense(b.flatten(c), 7);
        b.output("logits", d);
        Graph g = b.build();
        Node conv = g.nodes().get(0);
        assertEquals("Conv", conv.opType());
        assertEquals(2, conv.attributes().getInt("group", 1));
        assertEquals(List.of(1L, 1L, 1L, 1L), boxed(conv.attributes().getInts("pads", null)));
        assertEquals(List.of(2L, 2L), boxed(conv.attributes().getInts("strides", null)));
        assertEquals(Shape.of(4, 3, 3, 3), g.initializers().get("conv1.weight").shape());
        assertEquals(Shape.of(-1, 4, 5, 5), g.type("conv1").shape());
        Node gemm = g.producer("logits");
        assertEquals("Gemm", gemm.opType());
        assertEquals(1, gemm.attributes().getInt("transB", 0));
        assertEquals(Shape.of(7, 100), g.initializers().get("fc1.weight").shape());
    }

    /** Kaiming normal: mean 0, std sqrt(2 / fan-in); biases 0; BN scale 1, bias 0, mean 0, var 1. */
    @Test
    void initializationFollowsHe() {
        var b = GraphBuilder.named("t", 11);
        Value x = b.input("input", Shape.of(-1, 64, 4, 4));
        x = b.batchNorm(b.conv(x, 128, 3));
        b.output("logits", b.dense(b.flatten(x), 50));
        Graph g = b.build();
        assertMoments(g.initializers().get("conv1.weight"), 0, Math.sqrt(2.0 / (64 * 9)));
        assertMoments(g.initializers().get("fc1.weight"), 0, Math.sqrt(2.0 / (128 * 2 * 2)));
        assertConstant(g.initializers().get("conv1.bias"), 0f);
        assertConstant(g.initializers().get("fc1.bias"), 0f);
        assertConstant(g.initializers().get("bn1.scale"), 1f);
        assertConstant(g.initializers().get("bn1.bias"), 0f);
        assertConstant(g.initializers().get("bn1.mean"), 0f);
        assertConstant(g.initializers().get("bn1.var"), 1f);
    }

    @Test
    void relu6IsClipZeroToSix() {
        var b = GraphBuilder.named("t");
        Value x = b.input("input", Shape.of(-1, 3));
        b.output("logits", b.relu6(b.relu6(x)));
        Graph g = b.build();
        for (Node n : g.nodes()) {
            assertEquals("Clip", n.opType());
            assertEquals(0f, g.initializers().get(n.input(1)).floats()[0]);
            assertEquals(6f, g.initializers().get(n.input(2)).floats()[0]);
        }
        assertEquals(2, g.initializers().size(), "the bounds are shared");
    }

    @Test
    void shapeErrorsFailAtTheLayerThatCausesThem() {
        var b = GraphBuilder.named("t");
        Value x = b.input("input", Shape.of(-1, 3, 8, 8));
        ShapeException e = assertThrows(ShapeException.class, () -> b.dense(x, 10));
        assertTrue(e.getMessage().contains("flatten"), e.getMessage());
        assertThrows(ShapeException.class, () -> b.conv(x, 4, 3, 1, 0, 2, false));
        Value y = b.conv(x, 4, 3);
        assertThrows(ShapeException.class, () -> b.add(x, y));
        var other = GraphBuilder.named("u");
        assertThrows(InvalidInputException.class, () -> other.relu(x));
        assertThrows(InvalidInputException.class, () -> b.input("input", Shape.of(1)));
        assertThrows(InvalidInputException.class, () -> b.output("logits", x));
    }

    @Test
    void concatAddsChannelsAndPoolsHalveTheImage() {
        var b = GraphBuilder.named("t");
        Value x = b.input("input", Shape.of(-1, 3, 8, 8));
        Value c = b.concat(b.conv(x, 4, 1), b.conv(x, 5, 3, 1, 1), b.maxPool(x, 3, 1, 1, false));
        Value pooled = b.add(b.avgPool(c, 2), b.lpPool(c, 2, 2));
        b.output("logits", b.softmax(b.dense(b.flatten(pooled), 3)));
        Graph g = b.build();
        assertEquals(Shape.of(-1, 12, 8, 8), g.type("concat1").shape());
        assertEquals(Shape.of(-1, 12, 4, 4), g.type("avgpool1").shape());
        assertEquals(2, g.producer("lppool1").attributes().getInt("p", 0));
        assertEquals("Softmax", g.producer("logits").opType());
    }

    private static List<Long> boxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private static void assertMoments(Tensor t, double mean, double std) {
        float[] w = t.floats();
        double s = 0;
        double s2 = 0;
        for (float v : w) {
            s += v;
            s2 += (double) v * v;
        }
        double m = s / w.length;
        double sd = Math.sqrt(s2 / w.length - m * m);
        // 5 standard errors of the sample mean and of the sample std (std / sqrt(2n))
        assertEquals(mean, m, 5 * std / Math.sqrt(w.length));
        assertEquals(std, sd, 5 * std / Math.sqrt(2.0 * w.length));
    }

    private static void assertConstant(Tensor t, float v) {
        for (float f : t.floats()) {
            assertEquals(v, f);
        }
    }
}
