package dev.minnow.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cost records: bytes by hand, MACs against published figures, params from input roles. */
class CostModelTest {
    private static Node node(String type, Attributes a, List<String> in, List<String> out) {
        return new Node(type.toLowerCase(), OpRegistry.global().create(type, a), in, out);
    }

    /** A 3x3 conv, 3 -> 4 channels, pads 1, on an 8x8 float32 image with an unknown batch. */
    @Test
    void convBytesAndMacsByHand() {
        Graph g = new Graph("conv");
        g.addInput(new Value("x", new TensorType(DType.FLOAT32, Shape.of(-1, 3, 8, 8))));
        g.addInitializer("w", Tensor.zeros(Shape.of(4, 3, 3, 3)));
        g.addInitializer("b", Tensor.zeros(Shape.of(4)));
        g.addNode(node("Conv", Attributes.of("pads", new int[] {1, 1, 1, 1}), List.of("x", "w", "b"), List.of("y")));
        g.addOutput(new Value("y", null));
        g.validate();
        OpCost c = g.nodeCost(g.nodes().get(0));
        // batch 1: x 3*8*8 + w 4*3*3*3 + b 4 floats read, y 4*8*8 floats written
        assertEquals((3 * 64 + 108 + 4) * 4L, c.bytesRead());
        assertEquals(4 * 64 * 4L, c.bytesWritten());
        assertEquals(4L * 64 * 27, c.macs(), "output elements x (input channels x kernel area)");
        assertEquals(108 + 4, c.params());
        assertEquals(2.0 * 4 * 64 * 27 / ((3 * 64 + 108 + 4) * 4 + 4 * 64 * 4), c.arithmeticIntensity(), 1e-12);
        assertEquals(2 * c.macs(), c.flops());
    }

    /** Bytes follow the element type: a QuantizeLinear reads float32 and writes one byte per element. */
    @Test
    void bytesUseTheElementSize() {
        Graph g = new Graph("q");
        g.addInput(new Value("x", TensorType.f32(2, 5)));
        g.addInitializer("s", Tensor.scalar(0.1f));
        g.addInitializer("z", Tensor.wrap(DType.UINT8, Shape.of(), new byte[] {3}));
        g.addNode(node("QuantizeLinear", new Attributes(), List.of("x", "s", "z"), List.of("q")));
        g.addOutput(new Value("q", null));
        g.validate();
        OpCost c = g.nodeCost(g.nodes().get(0));
        assertEquals(10 * 4 + 4 + 1, c.bytesRead());
        assertEquals(10, c.bytesWritten());
        assertEquals(0, c.macs());
        assertEquals(0, c.params(), "a scale and a zero point are quantization parameters, not learnable weights");
        assertEquals(0, c.arithmeticIntensity());
        assertEquals(InputRole.QUANT_PARAM, InputRole.of(g, g.nodes().get(0), 1));
    }

    /** MACs are the published figures of torchvision (conv and fc layers; its "GFLOPS" column counts MACs). */
    @Test
    void zooMacsMatchPublishedFigures() {
        assertNear(1.814e9, "resnet18", 0.002);   // torchvision resnet18: 1.81
        assertNear(300.8e6, "mobilenetv2", 0.002); // torchvision mobilenet_v2: 0.30; Sandler et al.: 300M
        assertNear(714e6, "alexnet", 0.002);      // torchvision's one-GPU variant (64-192-384-256-256): 0.71
        // LeNet-5 (Caffe) by hand: conv1 20*24*24*25, conv2 50*8*8*(20*25), fc1 800*500, fc2 500*10
        assertEquals(20 * 24 * 24 * 25 + 50 * 8 * 8 * 500 + 800 * 500 + 500 * 10, Zoo.build("lenet5", 1).macs());
    }

    private static void assertNear(double expected, String model, double tolerance) {
        long macs = Zoo.build(model, 1).macs();
        assertTrue(Math.abs(macs - expected) <= tolerance * expected, model + ": " + macs + " MACs, published " + expected);
    }

    /** Every layer of every zoo model has a cost record: bytes always, MACs exactly where there are contractions. */
    @Test
    void everyZooLayerHasACost() {
        Set<String> contractions = Set.of("Conv", "Gemm", "MatMul");
        for (String name : List.of("lenet-300-100", "lenet5", "resnet20", "mobilenetv2-cifar", "squeezenet1.1", "googlenet")) {
            Graph g = Zoo.build(name, 1);
            List<OpCost> costs = CostModel.nodeCosts(g);
            OpCost total = CostModel.total(g);
            assertEquals(g.macs(), total.macs(), name);
            assertEquals(GraphSummary.of(g).params(), total.params(), name);
            for (int i = 0; i < costs.size(); i++) {
                Node n = g.nodes().get(i);
                OpCost c = costs.get(i);
                assertTrue(c.bytesRead() > 0 && c.bytesWritten() > 0, name + " " + n.name());
                assertEquals(contractions.contains(n.opType()), c.macs() > 0, name + " " + n.name() + " (" + n.opType() + ")");
                long out = CostModel.tensorBytes(g.type(n.output(0)));
                assertEquals(out, c.bytesWritten(), name + " " + n.name() + " writes its one output");
            }
        }
    }

    /** Params come from roles: BN statistics, Clip bounds and a float Resize scales input are not parameters. */
    @Test
    void paramsFollowInputRoles() {
        Graph g = Zoo.build("mobilenetv2-cifar", 1);
        long expected = 0;
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                Tensor t = g.initializers().get(n.input(i));
                InputRole r = InputRole.of(g, n, i);
                if (n.opType().equals("BatchNormalization") && i >= 3) {
                    assertEquals(InputRole.STATISTIC, r);
                }
                if (n.opType().equals("Clip") && i >= 1) {
                    assertEquals(InputRole.SETTING, r);
                }
                if (n.opType().equals("Conv") && i == 1) {
                    assertEquals(InputRole.WEIGHT, r);
                }
                if (t != null && r.isParameter()) {
                    expected += t.size();
                }
            }
        }
        assertEquals(expected, GraphSummary.of(g).params());
        assertEquals(2_236_682, expected, "docs/ZOO.md");

        Graph h = new Graph("resize");
        h.addInput(new Value("x", TensorType.f32(1, 2, 4, 4)));
        h.addInitializer("scales", Tensor.of(Shape.of(4), 1, 1, 2, 2));
        h.addInitializer("m", Tensor.zeros(Shape.of(8, 3)));
        h.addInitializer("half", Tensor.scalar(0.5f));
        h.addNode(node("Resize", new Attributes(), List.of("x", "", "scales"), List.of("r")));
        h.addNode(node("Reshape", new Attributes(), List.of("r", "shape"), List.of("f")));
        h.addInitializer("shape", Tensor.ofLongs(Shape.of(2), 4, 8));
        h.addNode(new Node("mm", OpRegistry.global().create("MatMul", new Attributes()), List.of("f", "m"), List.of("y")));
        h.addNode(new Node("mul", OpRegistry.global().create("Mul", new Attributes()), List.of("y", "half"), List.of("z")));
        h.addOutput(new Value("z", null));
        h.validate();
        Node mm = h.nodes().stream().filter(n -> n.name().equals("mm")).findFirst().orElseThrow();
        Node mul = h.nodes().stream().filter(n -> n.name().equals("mul")).findFirst().orElseThrow();
        assertEquals(InputRole.DATA, InputRole.of(h, mm, 0), "a computed value is data");
        assertEquals(InputRole.WEIGHT, InputRole.of(h, mm, 1), "a constant matrix in a data slot is a weight");
        assertEquals(InputRole.SETTING, InputRole.of(h, mul, 1), "a scalar constant in a data slot is a setting");
        assertEquals(24, GraphSummary.of(h).params(), "only the 8x3 matrix");
        assertEquals(4L * 8 * 3, h.nodeCost(mm).macs());
    }

    @Test
    void attentionAndEinsumMacs() {
        Op att = OpRegistry.global().create("Attention", new Attributes());
        // Q [2, 3 heads, 5, 4], K [2, 3, 7, 4], V [2, 3, 7, 6]: Q K^T is 5x7x4 and weights x V 5x7x6 per head
        List<TensorType> in = List.of(TensorType.f32(2, 3, 5, 4), TensorType.f32(2, 3, 7, 4), TensorType.f32(2, 3, 7, 6));
        assertEquals(2L * 3 * 5 * 7 * (4 + 6), att.macs(in, List.of(TensorType.f32(2, 3, 5, 6))));
        Op ein = OpRegistry.global().create("Einsum", Attributes.of("equation", "ij,jk->ik"));
        assertEquals(3L * 4 * 5, ein.macs(List.of(TensorType.f32(3, 4), TensorType.f32(4, 5)), List.of(TensorType.f32(3, 5))));
        Op trace = OpRegistry.global().create("Einsum", Attributes.of("equation", "ii->"));
        assertEquals(0, trace.macs(List.of(TensorType.f32(4, 4)), List.of(TensorType.f32())), "one operand: sums only");
    }
}
