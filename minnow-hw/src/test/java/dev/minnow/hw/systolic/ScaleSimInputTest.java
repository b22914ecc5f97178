package dev.minnow.hw.systolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The readers accept SCALE-Sim's own file shapes and name the field and line of anything wrong. */
class ScaleSimInputTest {
    private static final String CFG = """
            [general]
            run_name = tiny

            [architecture_presets]
            ArrayHeight:    4
            ArrayWidth:     6
            IfmapSramSzkB:   8
            FilterSramSzkB:  16
            OfmapSramSzkB:   32
            Bandwidth : 10
            Dataflow : os

            [run_presets]
            InterfaceBandwidth: CALC
            """;

    private static final String HEADER =
            "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

    @Test
    void configFields() {
        ScaleSimConfig c = ScaleSimConfig.parse(CFG, "tiny.cfg");
        assertEquals("tiny", c.runName());
        assertEquals(4, c.arrayRows());
        assertEquals(6, c.arrayCols());
        assertEquals(8, c.ifmapSramKb());
        assertEquals(16, c.filterSramKb());
        assertEquals(32, c.ofmapSramKb());
        assertEquals(Dataflow.OUTPUT_STATIONARY, c.dataflow());
        assertEquals(ScaleSimConfig.InterfaceBandwidth.CALC, c.interfaceBandwidth());
        assertEquals(List.of(10), c.bandwidthWordsPerCycle());
        assertEquals(new SystolicArray(4, 6, Dataflow.OUTPUT_STATIONARY), c.array());
    }

    @Test
    void configKeysInAnyCaseWithEqualsSigns() {
        String text = CFG.replace("ArrayHeight:    4", "arrayheight = 4").replace("Dataflow : os", "DATAFLOW = IS")
                .replace("Bandwidth : 10", "Bandwidth : 10, 20");
        ScaleSimConfig c = ScaleSimConfig.parse(text, "tiny.cfg");
        assertEquals(4, c.arrayRows());
        assertEquals(Dataflow.INPUT_STATIONARY, c.dataflow());
        assertEquals(List.of(10, 20), c.bandwidthWordsPerCycle());
    }

    @Test
    void badConfigsNameTheFieldAndLine() {
        badConfig(CFG.replace("ArrayHeight:    4", "ArrayHeight:    0"), "line 5", "ArrayHeight");
        badConfig(CFG.replace("ArrayWidth:     6", "ArrayWidth:     six"), "line 6", "ArrayWidth");
        badConfig(CFG.replace("Bandwidth : 10", "Bandwidth : -3"), "line 10", "Bandwidth");
        badConfig(CFG.replace("Dataflow : os", "Dataflow : rs"), "line 11", "Dataflow");
        badConfig(CFG.replace("InterfaceBandwidth: CALC", "InterfaceBandwidth: FAST"), "line 14", "InterfaceBandwidth");
        badConfig(CFG.replace("OfmapSramSzkB:   32\n", ""), "tiny.cfg", "OfmapSramSzkB");
        badConfig(CFG.replace("Bandwidth : 10\n", "").replace("CALC", "USER"), "tiny.cfg", "Bandwidth");
        badConfig(CFG + "[sparsity]\nSparsitySupport : true\n", "line 16", "SparsitySupport");
        badConfig(CFG + "just words\n", "line 15", "key : value");
    }

    private static void badConfig(String text, String... mentions) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ScaleSimConfig.parse(text, "tiny.cfg"));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "'" + e.getMessage() + "' should mention " + m);
        }
    }

    @Test
    void topologyRowsWithAndWithoutTrailingCommaAndSparsityColumn() {
        List<ConvLayer> layers = ScaleSimTopology.parse(HEADER
                + "Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\n"
                + "\n"
                + "Conv2, 27, 27, 5, 5, 96, 256, 1\n"
                + "Conv3, 13, 13, 3, 3, 256, 384, 1, 2:4,\n", "alexnet.csv");
        assertEquals(3, layers.size());
        ConvLayer c1 = layers.get(0);
        assertEquals(new ConvLayer("Conv1", 224, 224, 11, 11, 3, 96, 4, 4), c1);
        // SCALE-Sim's rule ceil((224 - 11 + 4) / 4) = 55; the usual floor((224 - 11) / 4) + 1 is 54
        assertEquals(55, c1.ofmapHeight());
        assertEquals(55L * 55, c1.ofmapPixels());
        assertEquals(11L * 11 * 3, c1.windowSize());
        assertEquals(55L * 55 * 96 * 363, c1.macs());
        assertEquals(23, layers.get(1).ofmapWidth());
        assertEquals("Conv3", layers.get(2).name());
    }

    @Test
    void depthwiseRowsSplitPerChannelAsScaleSimDoes() {
        List<ConvLayer> layers = ScaleSimTopology.parse(HEADER + "DP_a, 9, 9, 3, 3, 3, 1, 1,\n", "dw.csv");
        assertEquals(List.of("DP_aChannel_0", "DP_aChannel_1", "DP_aChannel_2"),
                layers.stream().map(ConvLayer::name).toList());
        assertTrue(layers.stream().allMatch(l -> l.channels() == 1));
    }

    @Test
    void badTopologiesNameTheFieldAndLine() {
        badTopology(HEADER + "a, 8, 8, 3, x, 1, 1, 1,\n", "line 2", "Filter Width", "'x'");
        badTopology(HEADER + "a, 8, 8, 3, 3, 1, 1, 1,\nb, 8, 8, 3, 3, 0, 1, 1,\n", "line 3", "Channels");
        badTopology(HEADER + "a, 8, 8, 3, 3, 1, 1,\n", "line 2", "found 7");
        badTopology(HEADER + "a, 8, 8, 3, 3, 1, 1, 0,\n", "line 2", "Strides");
        badTopology(HEADER + "a, 2, 8, 3, 3, 1, 1, 1,\n", "line 2", "Filter Height", "padded");
        badTopology(HEADER + "a, 8, 8, 3, 3, 1, 1, 1, half,\n", "line 2", "sparsity");
        badTopology(HEADER + ", 8, 8, 3, 3, 1, 1, 1,\n", "line 2", "Layer name");
        badTopology("a, 8, 8, 3, 3, 1, 1, 1,\n", "line 1", "header");
        badTopology(HEADER, "no layers");
    }

    private static void badTopology(String text, String... mentions) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ScaleSimTopology.parse(text, "t.csv"));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "'" + e.getMessage() + "' should mention " + m);
        }
    }

    @Test
    void tinyLayerByHand() {
        // 3x3 input, 2x2 filter, 1 channel, 3 filters: M = 4 pixels, K = 4, N = 3, on a 2x2 array
        ConvLayer l = new ConvLayer("t", 3, 3, 2, 2, 1, 3, 1, 1);
        SystolicLayerCost ws = new SystolicArray(2, 2, Dataflow.WEIGHT_STATIONARY).run(l);
        // K over rows: 2 folds; N over columns: 2 folds; each fold 2*2 + 2 + 4 - 2 = 8 lines; last index 31
        assertEquals(31, ws.computeCycles());
        assertEquals(2 * 4 * 4, ws.ifmapSramReads());
        assertEquals(4 * 3, ws.filterSramReads());
        assertEquals(2 * 4 * 3, ws.ofmapSramWrites());
        // folds use 4, 4, 2, 2 of 4 PEs
        assertEquals(0.75, ws.mappingEfficiency(), 0.0);
        assertEquals(48.0 / (31 * 4), ws.utilization(), 1e-15);
        SystolicLayerCost os = new SystolicArray(2, 2, Dataflow.OUTPUT_STATIONARY).run(l);
        // M over rows, N over columns: 4 folds of 2 + 2 + 4 - 2 = 6 lines
        assertEquals(23, os.computeCycles());
        assertEquals(4 * 3 + 4 * (2 + 2), os.ofmapSramWrites());
        SystolicLayerCost is = new SystolicArray(2, 2, Dataflow.INPUT_STATIONARY).run(l);
        // K over rows, M over columns: 4 folds of 2*2 + 2 + 3 - 2 = 7 lines
        assertEquals(27, is.computeCycles());
        assertEquals(16, is.ifmapSramReads());
        assertEquals(2 * 12, is.filterSramReads());
    }

    @Test
    void arrayNeedsPes() {
        assertThrows(InvalidInputException.class, () -> new SystolicArray(0, 4, Dataflow.WEIGHT_STATIONARY));
        assertThrows(InvalidInputException.class, () -> new SystolicArray(4, 4, null));
    }
}
