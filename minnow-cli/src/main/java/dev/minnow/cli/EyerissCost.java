package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.hw.energy.EnergyTable;
import dev.minnow.hw.eyeriss.ActivationZeros;
import dev.minnow.hw.eyeriss.EnergyCosts;
import dev.minnow.hw.eyeriss.EyerissConfig;
import dev.minnow.hw.eyeriss.ModelConvs;
import dev.minnow.hw.eyeriss.RowStationary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cost --hw eyeriss}: a model's convolutions on the row-stationary array. Energy is counted
 * in MAC units with the paper's normalized costs, then scaled to picojoules by one MAC of the
 * configured word size from Horowitz's table: a single factor, so the split between levels stays
 * the paper's and no Horowitz memory figure is mixed in.
 */
final class EyerissCost {
    private EyerissCost() {
    }

    /**
     * @param activationDensity fraction of non-zero values in every feature map after the first
     *     layer's input (an image has no zeros): sets the run-length coding of DRAM traffic; 1 = none
     */
    static String run(Graph g, EyerissConfig cfg, double activationDensity, Map<String, Object> r) {
        if (!(activationDensity > 0 && activationDensity <= 1)) {
            throw new InvalidInputException("--activation-density must be in (0, 1], got " + activationDensity);
        }
        ModelConvs mc = ModelConvs.of(g);
        if (mc.layers().isEmpty()) {
            throw new InvalidInputException("the model has no 2-D convolution to map onto the row-stationary array");
        }
        EnergyCosts e = EnergyCosts.eyeriss();
        EnergyTable table = EnergyTable.horowitz45nm();
        double macPj = table.macPj(cfg.wordBits());
        Table t = new Table("layer", "active PEs", "cycles", "RF", "array", "buffer", "DRAM", "energy (MAC units)");
        List<Map<String, Object>> rows = new ArrayList<>();
        long cycles = 0;
        long macs = 0;
        long dram = 0;
        double[] total = new double[5];
        double z = 1 - activationDensity;
        boolean first = true;
        for (var shape : mc.layers()) {
            RowStationary.Result x = RowStationary.run(cfg, shape, new ActivationZeros(first ? 0 : z, z));
            first = false;
            double[] b = x.energyBreakdown(e);
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", x.name());
            l.put("macs", x.macs());
            l.put("compute_cycles", x.cycles());
            l.put("active_pes", x.activePes());
            l.put("utilization", x.utilization(cfg.pes()));
            l.put("mapping_efficiency", (double) x.activePes() / cfg.pes());
            l.put("rf_accesses", x.rfAccesses());
            l.put("array_accesses", x.arrayAccesses());
            l.put("buffer_accesses", x.bufferAccesses());
            // the global buffer is Eyeriss's SRAM; filters pass through it, psums go back and forth
            l.put("ifmap_sram_reads", x.bufferIfmapReads());
            l.put("filter_sram_reads", x.bufferFilterReads());
            l.put("psum_sram_reads", x.bufferPsumReads());
            l.put("ofmap_sram_writes", x.bufferPsumWrites());
            l.put("dram_ifmap_reads", x.dramIfmapReads());
            l.put("dram_filter_reads", x.dramFilterReads());
            l.put("dram_ofmap_writes", x.dramOfmapWrites());
            l.put("dram_raw_words", x.dramRawWords());
            l.put("channel_sets", x.channelSets());
            l.put("filter_sets", x.filterSets());
            l.put("images_per_tile", x.imagesPerTile());
            l.put("filters_per_tile", x.filtersPerTile());
            l.put("energy_mac_units", x.energy(e));
            l.put("energy_pj", x.energy(e) * macPj);
            rows.add(l);
            t.row(x.name(), x.activePes(), Table.count(x.cycles()), Table.count(x.rfAccesses()), Table.count(x.arrayAccesses()),
                    Table.count(x.bufferAccesses()), Table.count(x.dramAccesses()), String.format("%.3g", x.energy(e)));
            cycles += x.cycles();
            macs += x.macs();
            dram += x.dramAccesses();
            for (int i = 0; i < 5; i++) {
                total[i] += b[i];
            }
        }
        double energy = total[0] + total[1] + total[2] + total[3] + total[4];
        Map<String, Object> arr = new LinkedHashMap<>();
        arr.put("pe_rows", cfg.peRows());
        arr.put("pe_cols", cfg.peCols());
        arr.put("buffer_kb", cfg.bufferKb());
        arr.put("word_bits", cfg.wordBits());
        arr.put("batch", cfg.batch());
        r.put("array", arr);
        r.put("skipped_layers", mc.skipped());
        r.put("activation_density", activationDensity);
        r.put("cycles", cycles);
        r.put("macs", macs);
        r.put("dram_accesses", dram);
        r.put("dram_bytes", dram * cfg.wordBits() / 8);
        r.put("dram_accesses_per_mac", macs == 0 ? 0.0 : (double) dram / macs);
        r.put("energy_mac_units", energy);
        r.put("mac_pj", macPj);
        r.put("energy_pj", energy * macPj);
        r.put("energy_breakdown_pj", Map.of("compute", total[0] * macPj, "rf", total[1] * macPj,
                "array", total[2] * macPj, "buffer", total[3] * macPj, "dram", total[4] * macPj));
        r.put("energy_breakdown_mac_units", Map.of("compute", total[0], "rf", total[1], "array", total[2],
                "buffer", total[3], "dram", total[4]));
        r.put("energy_table", "Eyeriss ISCA 2016 normalized costs (65 nm): MAC 1, RF 1, array 2, buffer 6, DRAM 200;"
                + " pJ = MAC units x " + macPj + " pJ, the " + cfg.wordBits() + "-bit MAC of " + table.name()
                + " (" + table.source() + ")");
        r.put("layers", rows);
        return String.format("Row-stationary %dx%d array, %d KB buffer, %d-bit words, batch %d (counts for the whole batch)%n%n",
                cfg.peRows(), cfg.peCols(), cfg.bufferKb(), cfg.wordBits(), cfg.batch())
                + t.render()
                + String.format("%nTotal: %s MACs, %s cycles, %.4f DRAM accesses/MAC%n", Table.count(macs), Table.count(cycles),
                macs == 0 ? 0.0 : (double) dram / macs)
                + String.format("Energy %.3g MAC units (%.3g uJ at %.2f pJ a MAC) = compute %.1f%% + RF %.1f%% + array %.1f%% + buffer %.1f%% + DRAM %.1f%%%n",
                energy, energy * macPj / 1e6, macPj, 100 * total[0] / energy, 100 * total[1] / energy, 100 * total[2] / energy, 100 * total[3] / energy,
                100 * total[4] / energy)
                + (mc.skipped().isEmpty() ? "" : "Not mapped: " + String.join(", ", mc.skipped()) + "\n");
    }
}
