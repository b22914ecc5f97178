package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
