package dev.minnow.hw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.graph.CostModel;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphSummary;
import dev.minnow.zoo.Zoo;
import org.junit.jupiter.api.Test;

/** The per-layer report adds up, splits weights from activations, and agrees with core. */
class CostReportTest {
    @Test
    void lenet5ByHand() {
        CostReport r = CostReport.of(Zoo.build("lenet5", 1));
        LayerCost conv1 = r.layers().get(0);
        assertEquals("conv1", conv1.name());
        // x 1x1x28x28, w 20x1x5x5, b 20 read; y 20x24x24 written; all float32
        assertEquals((784 + 500 + 20) * 4, conv1.bytesRead());
        assertEquals(20 * 24 * 24 * 4, conv1.bytesWritten());
        assertEquals((500 + 20) * 4, conv1.weightBytes());
        assertEquals(784 * 4 + 20 * 24 * 24 * 4, conv1.activationBytes());
        assertEquals(2.0 * 288_000 / ((784 + 500 + 20) * 4 + 20 * 24 * 24 * 4), conv1.arithmeticIntensity(), 1e-12);
        assertArrayEquals(new int[] {-1, 20, 24, 24}, conv1.outputShape());
        // every lenet5 initializer is a float32 weight or bias read once: weight bytes are 4 per parameter
        assertEquals(431_080L * 4, r.weightBytes());
        assertEquals(431_080, r.params());
    }

    @Test
    void totalsAreTheSumsOfTheLayers() {
        Graph g = Zoo.build("resnet20", 1);
        CostReport r = CostReport.of(g);
        assertEquals(g.nodes().size(), r.layers().size());
        assertEquals(r.bytesRead(), r.layers().stream().mapToLong(LayerCost::bytesRead).sum());
        assertEquals(r.bytesWritten(), r.layers().stream().mapToLong(LayerCost::bytesWritten).sum());
        assertEquals(r.weightBytes() + r.activationBytes(), r.bytesRead() + r.bytesWritten());
        assertEquals(GraphSummary.of(g).params(), r.params());
        assertEquals(g.macs(), r.macs());
        assertEquals(CostModel.total(g).arithmeticIntensity(), r.arithmeticIntensity(), 1e-12);
        // batch norm reads its statistics: stored bytes beyond the learnable parameters
        assertEquals(true, r.weightBytes() > 4 * r.params());
    }
}
