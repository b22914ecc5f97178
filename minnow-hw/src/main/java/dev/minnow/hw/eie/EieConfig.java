package dev.minnow.hw.eie;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.hw.KeyValueFile;
import java.nio.file.Path;
import java.util.List;

/**
 * An EIE instance (Han et al., ISCA 2016): {@code pes} processing elements, each holding the
 * rows {@code i} with {@code i mod pes == k} of a sparse layer in CSC form with
 * {@code indexBits}-bit relative row indices and {@code weightBits}-bit codebook indices.
 * Defaults are the paper's: 64 PEs at 800 MHz, 4-bit indices and weights, activation FIFOs of
 * depth 8, 9.157 mW per PE (Table II, 45 nm).
 */
public record EieConfig(int pes, double clockMhz, int indexBits, int weightBits, int fifoDepth, double pePowerMw) {
    public EieConfig {
        if (pes < 1) {
            throw new InvalidInputException("EIE: pes must be at least 1, got " + pes);
        }
        if (!(clockMhz > 0)) {
            throw new InvalidInputException("EIE: clock_mhz must be positive, got " + clockMhz);
        }
        if (indexBits < 1 || indexBits > 16) {
            throw new InvalidInputException("EIE: index_bits must be in 1..16, got " + indexBits);
        }
        if (weightBits < 1 || weightBits > 16) {
            throw new InvalidInputException("EIE: weight_bits must be in 1..16, got " + weightBits);
        }
        if (fifoDepth < 1) {
            throw new InvalidInputException("EIE: fifo_depth must be at least 1, got " + fifoDepth);
        }
        if (!(pePowerMw > 0)) {
            throw new InvalidInputException("EIE: pe_power_mw must be positive, got " + pePowerMw);
        }
    }

    public static EieConfig paper() {
        return new EieConfig(64, 800, 4, 4, 8, 9.157);
    }

    /** A description file: any of the keys below, the paper's values for the others. */
    public static EieConfig read(Path file) {
        EieConfig d = paper();
        KeyValueFile kv = KeyValueFile.read(file, List.of("pes", "clock_mhz", "index_bits", "weight_bits", "fifo_depth",
                "pe_power_mw"));
        return new EieConfig(kv.getInt("pes", d.pes), kv.getDouble("clock_mhz", d.clockMhz),
                kv.getInt("index_bits", d.indexBits), kv.getInt("weight_bits", d.weightBits),
                kv.getInt("fifo_depth", d.fifoDepth), kv.getDouble("pe_power_mw", d.pePowerMw));
    }

    /** Longest zero run a relative index can skip; a longer run costs an explicit zero entry. */
    public int maxGap() {
        return (1 << indexBits) - 1;
    }
}
