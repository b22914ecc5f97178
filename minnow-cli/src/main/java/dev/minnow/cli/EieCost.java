package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.hw.eie.EieConfig;
import dev.minnow.hw.eie.EieModel;
import dev.minnow.hw.eie.ModelFcLayers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** {@code cost --hw eie}: a model's fully connected layers on EIE, with the model's own zero weights. */
final class EieCost {
    private EieCost() {
    }

    static String run(Graph g, EieConfig cfg, double activationDensity, Map<String, Object> r) {
        if (!(activationDensity > 0 && activationDensity <= 1)) {
            throw new InvalidInputException("--activation-density must be in (0, 1], got " + activationDensity);
        }
        List<ModelFcLayers.Fc> fcs = ModelFcLayers.of(g);
        if (fcs.isEmpty()) {
            throw new InvalidInputException("the model has no fully connected layer with stored weights for EIE");
        }
        Table t = new Table("layer", "in x out", "weights non-zero", "entries", "cycles", "load eff.", "us", "energy nJ");
        List<Map<String, Object>> rows = new ArrayList<>();
        long cycles = 0;
        double seconds = 0;
        double energy = 0;
        long storageBits = 0;
        // which inputs are non-zero: a seeded draw at the given density (Minnow has no activation trace here)
        SplittableRandom rnd = new SplittableRandom(1);
        for (ModelFcLayers.Fc fc : fcs) {
            boolean[] act = new boolean[fc.cols()];
            for (int j = 0; j < act.length; j++) {
                act[j] = activationDensity >= 1 || rnd.nextDouble() < activationDensity;
            }
            EieModel.Result x = EieModel.run(cfg, fc.weights(), fc.rows(), fc.cols(), act);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", fc.name());
            l.put("inputs", fc.cols());
            l.put("outputs", fc.rows());
            l.put("weight_density", (double) x.nonZeroWeights() / x.macsDense());
            l.put("csc_entries", x.entries());
            l.put("padding_zeros", x.paddingZeros());
            l.put("compute_cycles", x.cycles());
            l.put("ideal_cycles", x.idealCycles());
            l.put("load_efficiency", x.loadEfficiency());
            l.put("utilization", x.loadEfficiency());
            l.put("macs_dense", x.macsDense());
            l.put("macs_done", x.macsDone());
            l.put("microseconds", x.seconds() * 1e6);
            l.put("storage_bits", x.storageBits());
            l.put("energy_pj", x.energyJoules() * 1e12);
            rows.add(l);
            t.row(fc.name(), fc.cols() + " x " + fc.rows(), String.format("%.1f%%", 100.0 * x.nonZeroWeights() / x.macsDense()),
                    Table.count(x.entries()), Table.count(x.cycles()), Table.percent(x.loadEfficiency()),
                    String.format("%.2f", x.seconds() * 1e6), String.format("%.1f", x.energyJoules() * 1e9));
            cycles += x.cycles();
            seconds += x.seconds();
            energy += x.energyJoules();
            storageBits += x.storageBits();
        }
        Map<String, Object> arr = new LinkedHashMap<>();
        arr.put("pes", cfg.pes());
        arr.put("clock_mhz", cfg.clockMhz());
        arr.put("index_bits", cfg.indexBits());
        arr.put("weight_bits", cfg.weightBits());
        arr.put("fifo_depth", cfg.fifoDepth());
        arr.put("pe_power_mw", cfg.pePowerMw());
        r.put("array", arr);
        r.put("activation_density", activationDensity);
        r.put("cycles", cycles);
        r.put("microseconds", seconds * 1e6);
        r.put("frames_per_second", seconds == 0 ? 0.0 : 1 / seconds);
        r.put("sram_bytes", Math.ceilDiv(storageBits, 8));
        r.put("dram_bytes", 0L);
        r.put("energy_pj", energy * 1e12);
        r.put("energy_model", "EIE Table II: " + cfg.pePowerMw() + " mW per PE at " + cfg.clockMhz()
                + " MHz, times the cycles (45 nm); weights in on-chip SRAM, no DRAM");
        r.put("layers", rows);
        return String.format("EIE: %d PEs at %.0f MHz, %d-bit indices, %d-bit shared weights, FIFO depth %d;"
                        + " activation density %.3f%n%n", cfg.pes(), cfg.clockMhz(), cfg.indexBits(), cfg.weightBits(),
                cfg.fifoDepth(), activationDensity)
                + t.render()
                + String.format("%nTotal: %s cycles, %.2f us (%.0f frames/s), %.1f nJ, %s bytes of weights in SRAM%n",
                Table.count(cycles), seconds * 1e6, seconds == 0 ? 0.0 : 1 / seconds, energy * 1e9,
                Table.count(Math.ceilDiv(storageBits, 8)));
    }
}
