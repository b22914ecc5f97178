package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** minnow cost --hw systolic on SCALE-Sim inputs, through the CLI as a user calls it. */
class CostCommandTest {
    private static final String TOPOLOGY = """
            Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
            Tiny, 3, 3, 2, 2, 1, 3, 1,
            Conv3x3_s1, 14, 14, 3, 3, 16, 24, 1,
            """;

    private static final String CFG = """
            [general]
            run_name = ws_2x2
            [architecture_presets]
            ArrayHeight: 2
            ArrayWidth: 2
            IfmapSramSzkB: 64
            FilterSramSzkB: 64
            OfmapSramSzkB: 64
            Dataflow : ws
            [run_presets]
            InterfaceBandwidth: CALC
            """;

    @Test
    void systolicCostOfATopology(@TempDir Path dir) throws IOException {
        Path topo = Files.writeString(dir.resolve("t.csv"), TOPOLOGY);
        Path cfg = Files.writeString(dir.resolve("ws_2x2.cfg"), CFG);
        Cli r = Cli.run("cost", "--topology", topo.toString(), "--hw", "systolic", "--config", cfg.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        // Tiny by hand (docs/HARDWARE.md): 4 folds of 2*2 + 2 + 4 - 2 = 8 lines, 31 cycles; 32/12/24 SRAM words
        assertTrue(j.contains("{\"name\":\"Tiny\",\"compute_cycles\":31,\"macs\":48,\"utilization\":" + (48.0 / (31 * 4))
                + ",\"mapping_efficiency\":0.75,"), j);
        // DRAM: the 9 input pixels and 12 weights once each (64 KB buffers hold everything); every ofmap SRAM
        // write is drained to DRAM, both row folds' partial sums included, as in SCALE-Sim
        assertTrue(j.contains("\"ifmap_sram_reads\":32,\"filter_sram_reads\":12,\"ofmap_sram_writes\":24,"
                + "\"ifmap_dram_reads\":9,\"filter_dram_reads\":12,\"ofmap_dram_writes\":24,"), j);
        // Conv3x3_s1: K = 144 over 2 rows = 72 folds, N = 24 over 2 columns = 12; M = 144; 864 folds of 4 + 2 + 144 - 2 lines
        long conv = 864L * 148 - 1;
        assertEquals(31 + conv, (long) number(j, "cycles"));
        assertEquals(48 + 144L * 144 * 24, (long) number(j, "macs"));
        assertTrue(j.contains("\"rows\":2,\"cols\":2,\"dataflow\":\"ws\""), j);

        Cli human = Cli.run("cost", "--topology", topo.toString(), "--hw", "systolic");
        assertEquals(0, human.exitCode(), human.err());
        assertTrue(human.out().contains("32x32 ws array") && human.out().contains("(default)")
                && human.out().contains("Conv3x3_s1"), human.out());
    }

    @Test
    void badInputsExitTwoNamingTheProblem(@TempDir Path dir) throws IOException {
        Path topo = Files.writeString(dir.resolve("t.csv"), TOPOLOGY);
        Path cfg = Files.writeString(dir.resolve("bad.cfg"), CFG.replace("Dataflow : ws", "Dataflow : rs"));
        Cli r = Cli.run("cost", "--topology", topo.toString(), "--hw", "systolic", "--config", cfg.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("bad.cfg line 9") && r.err().contains("Dataflow"), r.err());

        Cli hw = Cli.run("cost", "--topology", topo.toString(), "--hw", "gpu");
        assertEquals(2, hw.exitCode());
        assertTrue(hw.err().contains("--hw gpu"), hw.err());

        Path badTopo = Files.writeString(dir.resolve("b.csv"), TOPOLOGY.replace("Tiny, 3,", "Tiny, three,"));
        Cli t = Cli.run("cost", "--topology", badTopo.toString(), "--hw", "systolic");
        assertEquals(2, t.exitCode());
        assertTrue(t.err().contains("line 2") && t.err().contains("IFMAP Height"), t.err());
    }

    @Test
    void aModelMapsItsPaddedConvolutionsAndDenseLayers() {
        Cli r = Cli.run("cost", "lenet5", "--hw", "systolic", "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        // lenet5: 2 convolutions and 2 dense layers, 2,293,000 MACs (as `minnow info` counts them)
        assertTrue(j.contains("\"macs\":2293000,"), j);
        assertEquals(4, j.split("\"compute_cycles\"").length - 1, j);
        assertTrue(j.contains("\"energy_pj\":"), j);
        Cli int8 = Cli.run("cost", "lenet5", "--hw", "systolic", "--bits", "8", "--json");
        double e32 = number(j, "energy_pj");
        double e8 = number(int8.json(), "energy_pj");
        assertTrue(e8 < e32 / 4, "8-bit operands cost less than a quarter of the energy: " + e8 + " vs " + e32);
        assertEquals(2, Cli.run("cost", "lenet5", "--topology", "x.csv", "--hw", "systolic").exitCode(),
                "a MODEL and --topology together are refused");
    }
}
