package dev.minnow.cli;

import dev.minnow.graph.Graph;
import dev.minnow.hw.CostReport;
import dev.minnow.hw.roofline.Machine;
import dev.minnow.hw.roofline.MachineProbe;
import dev.minnow.hw.roofline.Roofline;
import dev.minnow.io.AtomicFiles;
import dev.minnow.kernels.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code cost --hw cpu}: each layer on this CPU's roofline, and the machine description behind it. */
final class CpuCost {
    private CpuCost() {
    }

    /**
     * The machine: read from {@code file} when it exists, else measured (about two seconds) and,
     * when a file is named, cached there for the next run.
     */
    static Machine machine(Path file) {
        if (file != null && Files.exists(file)) {
            return Machine.read(file);
        }
        System.err.println("measuring this CPU's peak FLOPS and memory bandwidth (about 2 s)...");
        Machine m = MachineProbe.measure(Parallel.threads());
        if (file != null) {
            try {
                AtomicFiles.write(file, m.toYaml().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return m;
    }

    static Map<String, Object> machineJson(Machine m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("name", m.name());
        j.put("cores", m.cores());
        j.put("peak_gflops_one_core", m.peakGflopsOneCore());
        j.put("peak_gflops", m.peakGflops());
        j.put("read_gb_s", m.readGBs());
        j.put("triad_gb_s", m.triadGBs());
        return j;
    }

    static String run(Graph g, Machine m, Path plot, Map<String, Object> r) {
        Roofline rl = Roofline.of(m, true);
        List<Roofline.Point> points = rl.place(CostReport.of(g));
        Table t = new Table("layer", "op", "MACs", "FLOP/B", "attainable GFLOPS", "bound", "predicted ms");
        List<Map<String, Object>> rows = new ArrayList<>();
        double seconds = 0;
        long macs = 0;
        long bytes = 0;
        for (Roofline.Point p : points) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", p.name());
            l.put("op", p.op());
            l.put("macs", p.macs());
            l.put("bytes", p.bytes());
            l.put("arithmetic_intensity", p.intensity());
            l.put("attainable_gflops", p.attainableGflops());
            l.put("bound", p.bound().name().toLowerCase(java.util.Locale.ROOT));
            l.put("predicted_ms", p.predictedSeconds() * 1e3);
            rows.add(l);
            t.row(p.name(), p.op(), Table.count(p.macs()), String.format("%.2f", p.intensity()),
                    String.format("%.1f", p.attainableGflops()), l.get("bound"), String.format("%.4f", p.predictedSeconds() * 1e3));
            seconds += p.predictedSeconds();
            macs += p.macs();
            bytes += p.bytes();
        }
        r.put("machine", machineJson(m));
        r.put("ridge_flops_per_byte", rl.ridgeIntensity());
        r.put("macs", macs);
        r.put("dram_bytes", bytes);
        r.put("predicted_ms", seconds * 1e3);
        r.put("layers", rows);
        if (plot != null) {
            RooflinePlot.write(plot, rl, Roofline.of(m, false), points);
            r.put("plot", plot.toString());
        }
        return String.format("Roofline of %s: %.1f GFLOPS (%.1f one core), %.1f GB/s (read %.1f, triad %.1f); ridge %.2f FLOP/B%n%n",
                m.name(), m.peakGflops(), m.peakGflopsOneCore(), m.bandwidthGBs(), m.readGBs(), m.triadGBs(), rl.ridgeIntensity())
                + t.render()
                + String.format("%nTotal: %s MACs, %s bytes moved, predicted %.3f ms at batch 1 (no cache reuse between layers)%n",
                Table.count(macs), Table.count(bytes), seconds * 1e3)
                + (plot == null ? "" : "Roofline plot: " + plot + "\n");
    }
}
