package dev.minnow.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.zoo.Zoo;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphSummaryTest {
    /** LeNet-5 MACs by hand: output elements x (input channels x kernel area) per conv, in x out per fc. */
    @Test
    void lenet5RowsAndTotals() {
        GraphSummary s = GraphSummary.of(Zoo.build("lenet5", 1));
        Map<String, GraphSummary.Layer> rows = new HashMap<>();
        s.layers().forEach(l -> rows.put(l.name(), l));
        assertEquals(8, s.layers().size());
        assertLayer(rows.get("conv1"), "Conv", 20 * 25 + 20, 20 * 24 * 24 * 25, -1, 20, 24, 24);
        assertLayer(rows.get("maxpool1"), "MaxPool", 0, 0, -1, 20, 12, 12);
        assertLayer(rows.get("conv2"), "Conv", 50 * 20 * 25 + 50, 50 * 8 * 8 * 500, -1, 50, 8, 8);
        assertLayer(rows.get("maxpool2"), "MaxPool", 0, 0, -1, 50, 4, 4);
        assertLayer(rows.get("flatten1"), "Flatten", 0, 0, -1, 800);
        assertLayer(rows.get("fc1"), "Gemm", 800 * 500 + 500, 800 * 500, -1, 500);
        // element-wise ops have no multiply-accumulates (docs/COST.md)
        assertLayer(rows.get("relu1"), "Relu", 0, 0, -1, 500);
        assertLayer(rows.get("fc2"), "Gemm", 500 * 10 + 10, 500 * 10, -1, 10);
        assertEquals(431_080, s.params());
        assertEquals(288_000 + 1_600_000 + 400_000 + 5_000, s.macs());
    }

    /** Batch norm's running statistics are stored but are not learnable parameters. */
    @Test
    void batchNormStatisticsAreNotParameters() {
        Graph g = Zoo.build("resnet20", 1);
        long bnChannels = 0;
        for (Node n : g.nodes()) {
            if (n.opType().equals("BatchNormalization")) {
                bnChannels += g.initializers().get(n.input(1)).size();
            }
        }
        GraphSummary s = GraphSummary.of(g);
        assertEquals(g.paramCount() - 2 * bnChannels, s.params());
        assertEquals(s.params(), s.layers().stream().mapToLong(GraphSummary.Layer::params).sum());
        assertEquals(g.macs(), s.macs());
    }

    private static void assertLayer(GraphSummary.Layer l, String op, long params, long macs, int... shape) {
        assertEquals(op, l.op(), l.name());
        assertEquals(params, l.params(), l.name() + " params");
        assertEquals(macs, l.macs(), l.name() + " macs");
        assertArrayEquals(shape, l.outputShape(), l.name() + " shape");
    }
}
