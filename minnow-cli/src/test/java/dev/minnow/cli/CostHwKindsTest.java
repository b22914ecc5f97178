package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.cli.report.ReportJson;
import dev.minnow.hw.energy.EnergyTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** minnow cost --hw cpu|eyeriss|eie through the CLI, with a fixed machine file (no timing), and bad descriptions. */
class CostHwKindsTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            int code = Main.run(args);
            return new Run(code, out.toString(), err.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void cpuRooflineFromAMachineFile(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("m.yaml");
        Files.writeString(m, "name: fixed\ncores: 2\npeak_gflops_one_core: 50\npeak_gflops: 100\nread_gb_s: 20\ntriad_gb_s: 16\n");
        Path png = dir.resolve("roof.png");
        Run r = run("cost", "lenet5", "--hw", "cpu", "--machine", m.toString(), "--plot", png.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        String j = lastLine(r.out());
        assertTrue(j.contains("\"ridge_flops_per_byte\":5.0"), j);
        assertTrue(j.contains("\"bound\":\"memory\""), j);
        assertTrue(j.contains("\"attainable_gflops\""), j);
        assertTrue(Files.size(png) > 1000);
        Files.writeString(m, "name: fixed\ncores: 2\npeak_gflops_one_core: 50\npeak_gflops: 100\nread_gb_s: -20\ntriad_gb_s: 16\n");
        Run bad = run("cost", "lenet5", "--hw", "cpu", "--machine", m.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("read_gb_s"), bad.err());
    }

    @Test
    void everyKindDrawsItsRunAsSvg(@TempDir Path dir) throws Exception {
        for (String hw : new String[] {"systolic", "eyeriss", "eie"}) {
            Path svg = dir.resolve(hw + ".svg");
            Run r = run("cost", "lenet5", "--hw", hw, "--plot", svg.toString(), "--json");
            assertEquals(0, r.code(), r.err());
            String doc = Files.readString(svg);
            assertTrue(doc.contains("<svg") && doc.contains("</svg>") && doc.contains("Energy per layer"), hw);
            // one bar per layer: lenet5 has two convolutions and two dense layers
            assertTrue(lastLine(r.out()).contains("\"plot\":"), hw);
        }
        Path m = dir.resolve("m.yaml");
        Files.writeString(m, "name: fixed\ncores: 2\npeak_gflops_one_core: 50\npeak_gflops: 100\nread_gb_s: 20\ntriad_gb_s: 16\n");
        Path roof = dir.resolve("roof.svg");
        assertEquals(0, run("cost", "lenet5", "--hw", "cpu", "--machine", m.toString(), "--plot", roof.toString()).code());
        assertTrue(Files.readString(roof).contains("<svg"));
        Run bad = run("cost", "lenet5", "--hw", "eie", "--plot", dir.resolve("x.gif").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(".svg or .png"), bad.err());
    }

    static double num(Map<String, Object> m, String key) {
        assertTrue(m.get(key) instanceof Number, key + " missing or not a number in " + m.keySet());
        return ((Number) m.get(key)).doubleValue();
    }

    /** The issue's keys on --hw eyeriss, and that they add up: layers to totals, operands to buffer accesses. */
    @Test
    @SuppressWarnings("unchecked")
    void eyerissJsonCarriesTheIssuesKeys(@TempDir Path dir) throws Exception {
        Run e = run("cost", "lenet5", "--hw", "eyeriss", "--activation-density", "0.5", "--json");
        assertEquals(0, e.code(), e.err());
        Path json = dir.resolve("e.json");
        Files.writeString(json, lastLine(e.out()));
        Map<String, Object> r = ReportJson.read(json);
        double macPj = EnergyTable.horowitz45nm().macPj(16);
        assertEquals(macPj, num(r, "mac_pj"), 0);
        assertEquals(num(r, "energy_mac_units") * macPj, num(r, "energy_pj"), 1e-9 * num(r, "energy_pj"));
        assertEquals(num(r, "dram_accesses") * 2, num(r, "dram_bytes"), 0);
        List<Map<String, Object>> layers = (List<Map<String, Object>>) r.get("layers");
        assertEquals(2, layers.size(), "lenet5 has two convolutions");
        double energy = 0;
        double cycles = 0;
        for (Map<String, Object> l : layers) {
            for (String k : List.of("compute_cycles", "utilization", "mapping_efficiency", "ifmap_sram_reads",
                    "filter_sram_reads", "ofmap_sram_writes", "energy_pj")) {
                assertTrue(num(l, k) >= 0, k);
            }
            assertTrue(num(l, "utilization") <= 1 && num(l, "mapping_efficiency") <= 1);
            assertTrue(num(l, "ofmap_sram_writes") > 0 && num(l, "ifmap_sram_reads") > 0 && num(l, "filter_sram_reads") > 0);
            assertEquals(num(l, "buffer_accesses"), num(l, "ifmap_sram_reads") + num(l, "filter_sram_reads")
                    + num(l, "psum_sram_reads") + num(l, "ofmap_sram_writes"), 0);
            assertEquals(num(l, "energy_mac_units") * macPj, num(l, "energy_pj"), 1e-9 * num(l, "energy_pj"));
            energy += num(l, "energy_pj");
            cycles += num(l, "compute_cycles");
        }
        assertEquals(num(r, "energy_pj"), energy, 1e-9 * energy);
        assertEquals(num(r, "cycles"), cycles, 0);
        Map<String, Object> split = (Map<String, Object>) r.get("energy_breakdown_pj");
        double parts = 0;
        for (String k : List.of("compute", "rf", "array", "buffer", "dram")) {
            parts += num(split, k);
        }
        assertEquals(energy, parts, 1e-9 * energy);
    }

    @Test
    void eyerissAndEie(@TempDir Path dir) throws Exception {
        Run e = run("cost", "lenet5", "--hw", "eyeriss", "--json");
        assertEquals(0, e.code(), e.err());
        String j = lastLine(e.out());
        assertTrue(j.contains("\"energy_breakdown_mac_units\"") && j.contains("\"active_pes\""), j);
        Run f = run("cost", "lenet-300-100", "--hw", "eie", "--activation-density", "0.5", "--json");
        assertEquals(0, f.code(), f.err());
        assertTrue(lastLine(f.out()).contains("\"load_efficiency\""), f.out());
        Path cfg = dir.resolve("eie.txt");
        Files.writeString(cfg, "pes: 0\n");
        Run bad = run("cost", "lenet-300-100", "--hw", "eie", "--config", cfg.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("pes must be at least 1"), bad.err());
        Files.writeString(cfg, "pe_rows: 0\n");
        Run badE = run("cost", "lenet5", "--hw", "eyeriss", "--config", cfg.toString());
        assertEquals(2, badE.code());
        assertTrue(badE.err().contains("pe_rows"), badE.err());
        Run unknown = run("cost", "lenet5", "--hw", "tpu");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("cpu, systolic, eyeriss or eie"), unknown.err());
    }
}
