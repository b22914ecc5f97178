package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.hw.systolic.ConvLayer;
import dev.minnow.hw.systolic.DramReplay;
import dev.minnow.hw.systolic.ScaleSimConfig;
import dev.minnow.hw.systolic.ScaleSimTopology;
import dev.minnow.hw.systolic.SystolicLayerCost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cost", mixinStandardHelpOptions = true,
        description = {"Cost of a network on a hardware model. With --hw systolic: a TPU-like systolic array read from",
                "SCALE-Sim v3's own inputs (topology CSV, .cfg), counted as SCALE-Sim counts in its stall-free mode:",
                "cycles, utilization, mapping efficiency and SRAM reads/writes per operand (docs/HARDWARE.md).",
                "Without --config: a 32x32 weight-stationary array with 64 KB per operand buffer (SCALE-Sim's example).",
                "DRAM traffic is SCALE-Sim's CALC-mode count (one-byte words); DRAM bandwidth stalls are not modelled."},
        footer = {"", "Examples:", "  minnow cost --topology alexnet.csv --hw systolic --config scale.cfg",
                "  minnow cost --topology alexnet.csv --hw systolic --json"})
final class CostCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--topology", required = true, paramLabel = "FILE.csv",
            description = "A SCALE-Sim topology CSV (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,"
                    + " Channels, Num Filter, Strides).")
    Path topology;

    @Option(names = "--hw", required = true, paramLabel = "KIND", description = "Hardware model: systolic.")
    String hw;

    @Option(names = "--config", paramLabel = "FILE.cfg", description = "A SCALE-Sim .cfg file (array size, SRAM sizes, dataflow).")
    Path config;

    @Override
    public Integer call() {
        common.apply();
        if (!"systolic".equals(hw)) {
            throw new InvalidInputException("--hw " + hw + " is not a hardware model here; use --hw systolic");
        }
        ScaleSimConfig cfg = config == null ? ScaleSimConfig.defaults() : ScaleSimConfig.read(config);
        List<ConvLayer> layers = ScaleSimTopology.read(topology);
        List<SystolicLayerCost> costs = cfg.array().run(layers);
        if (cfg.interfaceBandwidth() == ScaleSimConfig.InterfaceBandwidth.USER) {
            System.err.println("note: InterfaceBandwidth is USER; the numbers are SCALE-Sim's stall-free (CALC) ones,"
                    + " DRAM bandwidth stalls are not modelled");
        }

        List<Map<String, Object>> rows = new ArrayList<>();
        Table t = new Table("layer", "cycles", "util", "mapping", "ifmap reads", "filter reads", "ofmap writes",
                "DRAM words");
        long cycles = 0;
        long macs = 0;
        long ifmap = 0;
        long filter = 0;
        long ofmap = 0;
        long dram = 0;
        for (int i = 0; i < costs.size(); i++) {
            SystolicLayerCost c = costs.get(i);
            DramReplay d = cfg.dramReplay(layers.get(i));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("compute_cycles", c.computeCycles());
            m.put("macs", c.macs());
            m.put("utilization", c.utilization());
            m.put("mapping_efficiency", c.mappingEfficiency());
            m.put("compute_utilization", c.computeUtilization());
            m.put("ifmap_sram_reads", c.ifmapSramReads());
            m.put("filter_sram_reads", c.filterSramReads());
            m.put("ofmap_sram_writes", c.ofmapSramWrites());
            m.put("ifmap_dram_reads", d.ifmapDramReads());
            m.put("filter_dram_reads", d.filterDramReads());
            m.put("ofmap_dram_writes", d.ofmapDramWrites());
            rows.add(m);
            t.row(c.name(), Table.count(c.computeCycles()), Table.percent(c.utilization()),
                    Table.percent(c.mappingEfficiency()), Table.count(c.ifmapSramReads()),
                    Table.count(c.filterSramReads()), Table.count(c.ofmapSramWrites()),
                    Table.count(d.ifmapDramReads() + d.filterDramReads() + d.ofmapDramWrites()));
            cycles += c.computeCycles();
            macs += c.macs();
            ifmap += c.ifmapSramReads();
            filter += c.filterSramReads();
            ofmap += c.ofmapSramWrites();
            dram += d.ifmapDramReads() + d.filterDramReads() + d.ofmapDramWrites();
        }
        Map<String, Object> arr = new LinkedHashMap<>();
        arr.put("rows", cfg.arrayRows());
        arr.put("cols", cfg.arrayCols());
        arr.put("dataflow", cfg.dataflow().code());
        arr.put("ifmap_sram_kb", cfg.ifmapSramKb());
        arr.put("filter_sram_kb", cfg.filterSramKb());
        arr.put("ofmap_sram_kb", cfg.ofmapSramKb());
        arr.put("config", config == null ? "default" : config.toString());

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("hw", hw);
        r.put("topology", topology.toString());
        r.put("array", arr);
        r.put("mode", "stall-free (SCALE-Sim v3 InterfaceBandwidth CALC); SRAM/DRAM counts in one-byte words");
        r.put("cycles", cycles);
        r.put("macs", macs);
        r.put("utilization", cycles == 0 ? 0.0 : (double) macs / ((double) cycles * cfg.arrayRows() * cfg.arrayCols()));
        r.put("ifmap_sram_reads", ifmap);
        r.put("filter_sram_reads", filter);
        r.put("ofmap_sram_writes", ofmap);
        r.put("dram_bytes", dram);
        r.put("layers", rows);
        String human = String.format("%dx%d %s array, %d/%d/%d KB ifmap/filter/ofmap SRAM%s, stall-free%n%n",
                cfg.arrayRows(), cfg.arrayCols(), cfg.dataflow().code(), cfg.ifmapSramKb(), cfg.filterSramKb(),
                cfg.ofmapSramKb(), config == null ? " (default)" : "")
                + t.render()
                + String.format("%nTotal: %s cycles, %s MACs, %s utilization, %s DRAM bytes%n", Table.count(cycles),
                Table.count(macs), Table.percent((double) r.get("utilization")), Table.count(dram));
        common.emit(r, human);
        return 0;
    }
}
