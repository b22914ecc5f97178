package dev.minnow.hw.systolic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Our parsers and model on the very cfg and topology files SCALE-Sim v3 ran on
 * (tools/golden/scalesim_golden.sh), against every number of its reports this model claims:
 * cycles, stalls, utilization, mapping efficiency, compute utilization, the three SRAM counts
 * and the three DRAM counts.
 * Floating-point columns must match to the last bit, since the model sums in SCALE-Sim's order.
 */
class SystolicArrayGoldenTest {
    private static Path goldenDir() throws URISyntaxException {
        return Path.of(SystolicArrayGoldenTest.class.getResource("/golden/scalesim/layers.csv").toURI()).getParent();
    }

    @Test
    void everyGoldenRunMatches() throws Exception {
        Path dir = goldenDir();
        List<ConvLayer> chosen = ScaleSimTopology.read(dir.resolve("layers.csv"));
        // 6 plain layers plus a 2-channel depthwise layer that SCALE-Sim splits in two
        assertEquals(8, chosen.size());
        assertEquals(10, ScaleSimTopology.read(dir.resolve("random.csv")).size());
        List<Path> cfgs;
        try (Stream<Path> s = Files.list(dir)) {
            cfgs = s.filter(p -> p.toString().endsWith(".cfg")).sorted().toList();
        }
        assertEquals(13, cfgs.size(), "3 arrays x 3 dataflows at 64 KB, 4 with 1-2 KB SRAMs");
        int checked = 0;
        for (Path cfgFile : cfgs) {
            ScaleSimConfig cfg = ScaleSimConfig.read(cfgFile);
            String run = cfgFile.getFileName().toString().replace(".cfg", "");
            assertEquals(run, cfg.runName());
            for (String topo : List.of("layers", "random")) {
                checked += compare(cfg, ScaleSimTopology.read(dir.resolve(topo + ".csv")), dir.resolve(run).resolve(topo),
                        run + "/" + topo);
            }
        }
        assertEquals(13 * (8 + 10), checked);
    }

    @Test
    void alexNetLayersAtFullSize() throws Exception {
        // 224x224x3 and 27x27x96 inputs: larger than half of a 64 KB buffer, so the read window slides
        Path dir = goldenDir();
        ScaleSimConfig cfg = ScaleSimConfig.read(dir.resolve("ws_32x32.cfg"));
        List<ConvLayer> layers = ScaleSimTopology.read(dir.resolve("big/alexnet_conv12.csv"));
        assertEquals(2, compare(cfg, layers, dir.resolve("ws_32x32/alexnet_conv12"), "ws_32x32/alexnet_conv12"));
    }

    private static int compare(ScaleSimConfig cfg, List<ConvLayer> layers, Path reports, String run) throws IOException {
        List<SystolicLayerCost> ours = cfg.array().run(layers);
        List<String[]> compute = rows(reports.resolve("COMPUTE_REPORT.csv"));
        List<String[]> access = rows(reports.resolve("DETAILED_ACCESS_REPORT.csv"));
        assertEquals(layers.size(), compute.size(), run);
        assertEquals(layers.size(), access.size(), run);
        for (int i = 0; i < layers.size(); i++) {
            String at = run + " layer " + i + " (" + layers.get(i).name() + ")";
            String[] c = compute.get(i);
            String[] a = access.get(i);
            SystolicLayerCost o = ours.get(i);
            assertEquals(i, Integer.parseInt(c[0]), at);
            assertEquals(0, Long.parseLong(c[3]), at + ": the golden run must be stall-free");
            assertEquals(Long.parseLong(c[2]), o.computeCycles(), at + " cycles");
            assertEquals(Double.parseDouble(c[4]), o.utilizationPercent(), 0.0, at + " overall util %");
            assertEquals(Double.parseDouble(c[5]), o.mappingEfficiencyPercent(), 0.0, at + " mapping efficiency %");
            assertEquals(Double.parseDouble(c[6]), o.computeUtilizationPercent(), 0.0, at + " compute util %");
            assertEquals(Long.parseLong(a[3]), o.ifmapSramReads(), at + " ifmap SRAM reads");
            assertEquals(Long.parseLong(a[6]), o.filterSramReads(), at + " filter SRAM reads");
            assertEquals(Long.parseLong(a[9]), o.ofmapSramWrites(), at + " ofmap SRAM writes");
            DramReplay d = cfg.dramReplay(layers.get(i));
            assertEquals(Long.parseLong(c[3]), d.stallCycles(), at + " stall cycles");
            assertEquals(Long.parseLong(c[2]), d.totalCycles(), at + " cycles with write stalls");
            assertEquals(Long.parseLong(a[12]), d.ifmapDramReads(), at + " ifmap DRAM reads");
            assertEquals(Long.parseLong(a[15]), d.filterDramReads(), at + " filter DRAM reads");
            assertEquals(Long.parseLong(a[18]), d.ofmapDramWrites(), at + " ofmap DRAM writes");
        }
        return layers.size();
    }

    @Test
    void goldenRunsCoverEveryDataflowAndAGemmLayer() throws Exception {
        Path dir = goldenDir();
        List<Dataflow> seen = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".cfg")).toList()) {
                seen.add(ScaleSimConfig.read(p).dataflow());
            }
        }
        for (Dataflow d : Dataflow.values()) {
            assertTrue(seen.stream().filter(d::equals).count() >= 4, d.code());
        }
        List<ConvLayer> layers = ScaleSimTopology.read(dir.resolve("layers.csv"));
        assertTrue(layers.stream().anyMatch(l -> l.filterHeight() == 1 && l.filterWidth() == 1 && l.ofmapPixels() > 1));
        // a layer whose stride leaves a window hanging over the edge: 30 - 7 is not a multiple of 4
        ConvLayer edge = layers.get(2);
        assertEquals(7, edge.ofmapHeight());
        assertTrue((edge.ofmapHeight() - 1) * edge.strideHeight() + edge.filterHeight() > edge.ifmapHeight());
    }

    /** Data rows of a SCALE-Sim report, fields trimmed, trailing empty field dropped. */
    private static List<String[]> rows(Path report) throws IOException {
        List<String> lines = Files.readAllLines(report);
        List<String[]> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            for (int i = 0; i < f.length; i++) {
                f[i] = f[i].strip();
            }
            out.add(f);
        }
        return out;
    }
}
