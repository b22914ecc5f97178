package dev.minnow.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphSummary;
import dev.minnow.graph.Node;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ZooTest {
    /**
     * Learnable parameter counts of torchvision's models (sum of p.numel() over
     * model.parameters(), as in torchvision's model documentation tables; googlenet
     * without the auxiliary heads).
     */
    @ParameterizedTest
    @CsvSource({"resnet18, 11689512", "resnet50, 25557032", "mobilenetv2, 3504872", "squeezenet1.1, 1235496",
            "alexnet, 61100840", "vgg16, 138357544", "googlenet, 6624904"})
    void imagenetModelsHaveTorchvisionParameterCounts(String name, long torchvision) {
        Graph g = Zoo.build(name, 1);
        assertEquals(torchvision, GraphSummary.of(g).params());
        assertIo(g, 3, 224, 224, 1000);
    }

    /** LeNets: the counts of Han et al. 2015 (Table 2: 267K and 431K), computed by hand here. */
    @Test
    void lenetsHaveThePapersParameterCounts() {
        long lenet300 = 784 * 300 + 300 + 300 * 100 + 100 + 100 * 10 + 10;
        long lenet5 = 20 * 25 + 20 + 50 * 20 * 25 + 50 + 800 * 500 + 500 + 500 * 10 + 10;
        assertEquals(266_610, lenet300);
        assertEquals(431_080, lenet5);
        Graph g300 = Zoo.build("lenet-300-100", 1);
        Graph g5 = Zoo.build("lenet5", 1);
        assertEquals(lenet300, GraphSummary.of(g300).params());
        assertEquals(lenet5, GraphSummary.of(g5).params());
        assertEquals(lenet5, g5.paramCount(), "no BN, no constants: every stored element is a weight");
        assertIo(g300, 1, 28, 28, 10);
        assertIo(g5, 1, 28, 28, 10);
    }

    /**
     * CIFAR ResNets: option A counts (He et al. 2016 Table 6: 0.27M, 0.85M; exactly 269,722
     * and 853,018) plus the two option-B projections (1x1 conv + BN gamma/beta).
     */
    @Test
    void cifarResNetsAreOptionAPlusTwoProjections() {
        long projections = 16 * 32 + 2 * 32 + 32 * 64 + 2 * 64;
        assertEquals(269_722 + projections, GraphSummary.of(Zoo.build("resnet20", 1)).params());
        Graph r56 = Zoo.build("resnet56", 1);
        assertEquals(853_018 + projections, GraphSummary.of(r56).params());
        assertIo(r56, 3, 32, 32, 10);
        // 1 stem conv + 27 blocks x 2 convs + 2 projections + fc
        assertEquals(1 + 54 + 2 + 1, r56.nodes().stream().filter(n -> n.opType().equals("Conv") || n.opType().equals("Gemm")).count());
    }

    @Test
    void vggSmallMatchesItsLayerTable() {
        int[] ch = {3, 128, 128, 256, 256, 512, 512};
        long expected = 0;
        for (int i = 1; i < ch.length; i++) {
            expected += (long) ch[i - 1] * ch[i] * 9 + 2L * ch[i]; // conv without bias + BN gamma, beta
        }
        expected += 512 * 4 * 4 * 10 + 10;
        Graph g = Zoo.build("vgg-small", 1);
        assertEquals(expected, GraphSummary.of(g).params());
        assertIo(g, 3, 32, 32, 10);
    }

    /** The CIFAR MobileNetV2 is the ImageNet one with a 10-class head (same body weights). */
    @Test
    void mobilenetV2CifarDiffersOnlyInTheHeadAndStrides() {
        Graph g = Zoo.build("mobilenetv2-cifar", 1);
        assertEquals(3_504_872 - 1281 * 1000 + 1281 * 10, GraphSummary.of(g).params());
        assertIo(g, 3, 32, 32, 10);
        Node lastConv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).reduce((a, b) -> b).orElseThrow();
        assertEquals(Shape.of(-1, 1280, 4, 4), g.type(lastConv.output(0)).shape());
    }

    @Test
    void sameSeedSameWeightsOtherSeedOtherWeights() {
        Map<String, Tensor> a = Zoo.build("resnet20", 7).initializers();
        Map<String, Tensor> b = Zoo.build("resnet20", 7).initializers();
        Map<String, Tensor> c = Zoo.build("resnet20", 8).initializers();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertTrue(a.get(k).contentEquals(b.get(k)), k);
        }
        assertFalse(a.get("layer1.0.conv1.weight").contentEquals(c.get("layer1.0.conv1.weight")));
    }

    @Test
    void unknownNameListsTheZoo() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Zoo.build("resnet19", 1));
        for (String n : Zoo.names()) {
            assertTrue(e.getMessage().contains(n), e.getMessage());
        }
        assertTrue(e.getMessage().contains("resnet19"));
    }

    @Test
    void namesAreReadableAndFollowTorchvisionBlocks() {
        Graph g = Zoo.build("resnet18", 1);
        for (String w : new String[] {"conv1.weight", "bn1.scale", "layer1.0.conv1.weight", "layer1.0.bn1.scale",
                "layer2.0.downsample.conv1.weight", "layer4.1.bn2.var", "fc1.weight", "fc1.bias"}) {
            assertTrue(g.initializers().containsKey(w), w + " in " + g.initializers().keySet());
        }
        assertEquals(Shape.of(512, 256, 1, 1), g.initializers().get("layer4.0.downsample.conv1.weight").shape());
    }

    private static void assertIo(Graph g, int c, int h, int w, int classes) {
        assertEquals(1, g.inputs().size());
        assertEquals(1, g.outputs().size());
        Value in = g.inputs().get(0);
        assertEquals("input", in.name());
        assertEquals(Shape.of(-1, c, h, w), in.type().shape());
        assertEquals("logits", g.outputs().get(0).name());
        assertEquals(Shape.of(-1, classes), g.type("logits").shape());
    }
}
