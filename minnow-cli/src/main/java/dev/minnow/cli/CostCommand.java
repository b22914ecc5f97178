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
import picocli.CommandLine.Parameters;
import dev.minnow.hw.energy.EnergyTable;
import dev.minnow.hw.systolic.ModelLayers;

@Command(name = "cost", mixinStandardHelpOptions = true,
        description = {"Cost of a network on a hardware model. With --hw systolic: a TPU-like systolic array read from",
                "SCALE-Sim v3's own inputs (topology CSV, .cfg), counted as SCALE-Sim counts in its stall-free mode:",
                "cycles, utilization, mapping efficiency and SRAM reads/writes per operand (docs/HARDWARE.md).",
                "Without --config: a 32x32 weight-stationary array with 64 KB per operand buffer (SCALE-Sim's example).",
                "DRAM traffic is SCALE-Sim's CALC-mode count (one-byte words); DRAM bandwidth stalls are not modelled."},
        footer = {"", "Examples:", "  minnow cost alexnet --hw systolic --json",
                "  minnow cost --topology alexnet.csv --hw systolic --config scale.cfg",
                "  minnow cost --topology alexnet.csv --hw systolic --json"})
final class CostCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name: its convolutions"
            + " and dense layers at batch 1, padded inputs as IFMAPs (or give --topology).")
    String model;

    @Option(names = "--bits", defaultValue = "32", description = "Bits per operand for energy: 32 (float) or 8 (integer) (default: ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = "--topology", paramLabel = "FILE.csv",
            description = "A SCALE-Sim topology CSV (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width,"
                    + " Channels, Num Filter, Strides).")
    Path topology;

    @Option(names = "--hw", required = true, paramLabel = "KIND", description = "Hardware model: cpu (roofline of this"
            + " machine), systolic (SCALE-Sim), eyeriss (row stationary), eie (sparse fully connected).")
    String hw;

    @Option(names = "--config", paramLabel = "FILE", description = "systolic: a SCALE-Sim .cfg file; eyeriss and eie:"
            + " 'key: value' lines (docs/HARDWARE.md), defaults for absent keys.")
    Path config;

    @Option(names = "--machine", paramLabel = "FILE.yaml", description = "cpu: the machine description; measured (about"
            + " 2 s) and written there when the file does not exist yet.")
    Path machine;

    @Option(names = "--plot", paramLabel = "FILE.svg|FILE.png", description = "Write a chart of the run: cpu, a roofline with the layers as points; systolic, eyeriss and eie, each layer's energy.")
    Path plot;

    @Option(names = "--activation-density", defaultValue = "1", paramLabel = "D", description = "eie: fraction of"
            + " non-zero inputs to each layer (default: ${DEFAULT-VALUE}, no zero skipping); eyeriss: of non-zero values in"
            + " the feature maps after the first input, for run-length coded DRAM traffic (1: none).")
    double activationDensity;

    @Option(names = "--baseline", paramLabel = "DENSE", description = "Energy of MODEL against this dense fp32 model,"
            + " by memory level and by compression effect (docs/HARDWARE.md).")
    String baseline;

    @Option(names = "--steps", paramLabel = "DIR", description = "Energy of every step of a minnow compress run folder"
            + " (step-0-base.onnx, step-N-KIND.onnx|.mnz) against its step 0, by memory level and by effect.")
    Path steps;

    private int compareSteps() {
        if (baseline != null && steps != null || topology != null) {
            throw new InvalidInputException("give either MODEL --baseline DENSE or --steps DIR (not --topology)");
        }
        if ((steps != null) == (model != null)) {
            throw new InvalidInputException(steps != null ? "--steps DIR takes no MODEL (the folder holds the models)"
                    : "--baseline DENSE needs the compressed MODEL to compare");
        }
        List<CompressionCost.Step> list = steps != null ? CompressionCost.readFolder(steps)
                : List.of(new CompressionCost.Step(0, "baseline", Path.of(baseline)), new CompressionCost.Step(1, "model",
                Path.of(model)));
        if (steps == null) {
            for (String f : List.of(baseline, model)) {
                if (!java.nio.file.Files.isRegularFile(Path.of(f))) {
                    throw new InvalidInputException("model file not found: " + f + " (--baseline compares two model files)");
                }
            }
        }
        dev.minnow.hw.energy.EnergyTarget target = switch (hw) {
            case "cpu" -> dev.minnow.hw.energy.EnergyTarget.cpu();
            case "systolic" -> dev.minnow.hw.energy.EnergyTarget.systolic(
                    (config == null ? ScaleSimConfig.defaults() : ScaleSimConfig.read(config)).filterSramKb());
            case "eyeriss" -> dev.minnow.hw.energy.EnergyTarget.eyeriss();
            default -> {
                dev.minnow.hw.eie.EieConfig c = config == null ? dev.minnow.hw.eie.EieConfig.paper()
                        : dev.minnow.hw.eie.EieConfig.read(config);
                yield dev.minnow.hw.energy.EnergyTarget.eie(c.pes(), c.indexBits());
            }
        };
        Map<String, Object> r = new LinkedHashMap<>();
        String human = CompressionCost.run(list, target, activationDensity, r);
        common.emit(r, human);
        return 0;
    }

    @Override
    public Integer call() {
        common.apply();
        if (!List.of("cpu", "systolic", "eyeriss", "eie").contains(hw)) {
            throw new InvalidInputException("--hw " + hw + " is not a hardware model; use cpu, systolic, eyeriss or eie");
        }
        if (baseline != null || steps != null) {
            return compareSteps();
        }
        if (!"systolic".equals(hw)) {
            if (model == null || topology != null) {
                throw new InvalidInputException("--hw " + hw + " takes a MODEL (--topology is for --hw systolic)");
            }
            if (config != null && hw.equals("cpu")) {
                throw new InvalidInputException("--hw cpu takes --machine FILE.yaml, not --config");
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("hw", hw);
            r.put("model", model);
            var g = Models.load(model, 1);
            String human = switch (hw) {
                case "cpu" -> CpuCost.run(g, CpuCost.machine(machine), plot, r);
                case "eyeriss" -> EyerissCost.run(g, config == null ? dev.minnow.hw.eyeriss.EyerissConfig.chip()
                        : dev.minnow.hw.eyeriss.EyerissConfig.read(config), activationDensity, r);
                default -> EieCost.run(g, config == null ? dev.minnow.hw.eie.EieConfig.paper()
                        : dev.minnow.hw.eie.EieConfig.read(config), activationDensity, r);
            };
            if (!hw.equals("cpu")) {
                plotLayers(r, hw.equals("eyeriss") ? "energy_mac_units" : "energy_pj",
                        hw.equals("eyeriss") ? "energy (MAC units)" : "energy (pJ)");
            }
            common.emit(r, human);
            return 0;
        }
        if ((model == null) == (topology == null)) {
            throw new InvalidInputException("give a MODEL or --topology FILE.csv (one of them)");
        }
        if (bits != 32 && bits != 8) {
            throw new InvalidInputException("--bits must be 32 or 8, got " + bits);
        }
        ScaleSimConfig cfg = config == null ? ScaleSimConfig.defaults() : ScaleSimConfig.read(config);
        List<String> skipped = List.of();
        List<ConvLayer> layers;
        if (model != null) {
            ModelLayers ml = ModelLayers.of(Models.load(model, 1));
            layers = ml.layers();
            skipped = ml.skipped();
            if (layers.isEmpty()) {
                throw new InvalidInputException("model " + model + " has no convolution or dense layer to map onto the array");
            }
        } else {
            layers = ScaleSimTopology.read(topology);
        }
        EnergyTable energy = EnergyTable.horowitz45nm();
        double macPj = energy.macPj(bits);
        double ifmapPj = energy.sramPj(cfg.ifmapSramKb(), bits);
        double filterPj = energy.sramPj(cfg.filterSramKb(), bits);
        double ofmapPj = energy.sramPj(cfg.ofmapSramKb(), bits);
        double dramPj = energy.dramPj(bits);
        double computeEnergy = 0;
        double sramEnergy = 0;
        double dramEnergy = 0;
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
            double ce = c.macs() * macPj;
            double se = c.ifmapSramReads() * ifmapPj + c.filterSramReads() * filterPj + c.ofmapSramWrites() * ofmapPj;
            double de = (d.ifmapDramReads() + d.filterDramReads() + d.ofmapDramWrites()) * dramPj;
            m.put("energy_pj", ce + se + de);
            computeEnergy += ce;
            sramEnergy += se;
            dramEnergy += de;
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
        r.put("model", model);
        r.put("topology", topology == null ? null : topology.toString());
        r.put("skipped_layers", skipped);
        r.put("array", arr);
        r.put("mode", "stall-free (SCALE-Sim v3 InterfaceBandwidth CALC); SRAM/DRAM counts in one-byte words");
        r.put("cycles", cycles);
        r.put("macs", macs);
        r.put("utilization", cycles == 0 ? 0.0 : (double) macs / ((double) cycles * cfg.arrayRows() * cfg.arrayCols()));
        r.put("ifmap_sram_reads", ifmap);
        r.put("filter_sram_reads", filter);
        r.put("ofmap_sram_writes", ofmap);
        r.put("dram_bytes", dram);
        r.put("energy_pj", computeEnergy + sramEnergy + dramEnergy);
        r.put("energy_breakdown_pj", Map.of("compute", computeEnergy, "sram", sramEnergy, "dram", dramEnergy));
        r.put("energy_table", energy.name() + " (" + energy.source() + "), " + bits + "-bit operands; SRAM and DRAM counts"
                + " taken as word accesses");
        r.put("layers", rows);
        plotLayers(r, "energy_pj", "energy (pJ)");
        String human = String.format("%dx%d %s array, %d/%d/%d KB ifmap/filter/ofmap SRAM%s, stall-free%n%n",
                cfg.arrayRows(), cfg.arrayCols(), cfg.dataflow().code(), cfg.ifmapSramKb(), cfg.filterSramKb(),
                cfg.ofmapSramKb(), config == null ? " (default)" : "")
                + t.render()
                + String.format("%nTotal: %s cycles, %s MACs, %s utilization, %s DRAM words%n", Table.count(cycles),
                Table.count(macs), Table.percent((double) r.get("utilization")), Table.count(dram))
                + String.format("Energy (%s, %d-bit): %.3g uJ = compute %.3g + SRAM %.3g + DRAM %.3g uJ%n", energy.name(),
                bits, (computeEnergy + sramEnergy + dramEnergy) / 1e6, computeEnergy / 1e6, sramEnergy / 1e6,
                dramEnergy / 1e6)
                + (skipped.isEmpty() ? "" : "Not mapped: " + String.join(", ", skipped) + "\n");
        common.emit(r, human);
        return 0;
    }

    /** --plot for the accelerator kinds: one bar per layer. */
    @SuppressWarnings("unchecked")
    private void plotLayers(Map<String, Object> r, String key, String label) {
        if (plot == null) {
            return;
        }
        String name = plot.getFileName().toString();
        if (!name.endsWith(".svg") && !name.endsWith(".png")) {
            throw new InvalidInputException("--plot must name an .svg or .png file, got " + plot);
        }
        Charts.layerBars(plot, "Energy per layer on " + hw + (model == null ? "" : " (" + model + ")"), label,
                (List<Map<String, Object>>) r.get("layers"), key);
        r.put("plot", plot.toString());
    }
}
