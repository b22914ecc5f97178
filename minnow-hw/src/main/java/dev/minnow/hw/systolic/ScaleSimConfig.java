package dev.minnow.hw.systolic;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parts of a SCALE-Sim {@code .cfg} file that shape compute and SRAM traffic. The file is
 * INI-style ({@code [section]}, {@code key : value} or {@code key = value}, {@code #}/{@code ;}
 * comments, keys in any case), as Python's configparser reads it. Keys this model does not
 * use (offsets, request buffers, layout, Ramulator) are accepted and ignored.
 *
 * @param interfaceBandwidth {@code CALC}: SCALE-Sim's stall-free mode, the one this model reproduces;
 *                           {@code USER}: DRAM bandwidth from {@code Bandwidth}, whose stalls are not modelled
 * @param bandwidthWordsPerCycle the {@code Bandwidth} list (words per cycle), empty when absent
 */
public record ScaleSimConfig(String runName, int arrayRows, int arrayCols, int ifmapSramKb, int filterSramKb,
                             int ofmapSramKb, Dataflow dataflow, InterfaceBandwidth interfaceBandwidth,
                             List<Integer> bandwidthWordsPerCycle) {
    /** SCALE-Sim's two bandwidth modes. */
    public enum InterfaceBandwidth { CALC, USER }

    public ScaleSimConfig {
        bandwidthWordsPerCycle = List.copyOf(bandwidthWordsPerCycle);
        if (arrayRows < 1 || arrayCols < 1) {
            throw new InvalidInputException("the array needs at least one PE per side, got "
                    + arrayRows + " x " + arrayCols);
        }
    }

    /** SCALE-Sim's example: a 32x32 weight-stationary array with 64 KB per operand buffer, stall-free. */
    public static ScaleSimConfig defaults() {
        return new ScaleSimConfig("minnow_default_32x32_ws", 32, 32, 64, 64, 64, Dataflow.WEIGHT_STATIONARY,
                InterfaceBandwidth.CALC, List.of());
    }

    /** The array this configuration describes. */
    public SystolicArray array() {
        return new SystolicArray(arrayRows, arrayCols, dataflow);
    }

    /** DRAM traffic and write stalls of {@code layer} on this array with these SRAM sizes. */
    public DramReplay dramReplay(ConvLayer layer) {
        return DramReplay.of(array(), layer, ifmapSramKb, filterSramKb, ofmapSramKb);
    }

    public static ScaleSimConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses the file's text; {@code source} names it in error messages. */
    public static ScaleSimConfig parse(String text, String source) {
        Map<String, Entry> keys = entries(text, source);
        String runName = keys.containsKey("run_name") ? keys.get("run_name").value : "scale_run";
        int rows = positive(keys, "ArrayHeight", source);
        int cols = positive(keys, "ArrayWidth", source);
        int ifmapKb = positive(keys, "IfmapSramSzkB", source);
        int filterKb = positive(keys, "FilterSramSzkB", source);
        int ofmapKb = positive(keys, "OfmapSramSzkB", source);
        Entry df = required(keys, "Dataflow", source);
        Dataflow dataflow = Dataflow.parse(df.value, df.where);

        InterfaceBandwidth mode = InterfaceBandwidth.CALC;
        Entry ib = keys.get("interfacebandwidth");
        if (ib != null) {
            try {
                mode = InterfaceBandwidth.valueOf(ib.value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(ib.where + ": InterfaceBandwidth is '" + ib.value
                        + "'; use CALC (stall-free) or USER", e);
            }
        }
        List<Integer> bandwidths = new ArrayList<>();
        Entry bw = keys.get("bandwidth");
        if (bw != null) {
            for (String part : bw.value.split(",", -1)) {
                int b = integer(part.strip(), "Bandwidth", bw.where);
                if (b < 1) {
                    throw new InvalidInputException(bw.where + ": Bandwidth must be at least 1 word per cycle, got " + b);
                }
                bandwidths.add(b);
            }
        } else if (mode == InterfaceBandwidth.USER) {
            throw new InvalidInputException(source + ": InterfaceBandwidth is USER but there is no Bandwidth key");
        }
        Entry sparsity = keys.get("sparsitysupport");
        if (sparsity != null && sparsity.value.strip().equalsIgnoreCase("true")) {
            throw new InvalidInputException(sparsity.where + ": SparsitySupport is true; the systolic model covers "
                    + "dense layers only, set it to false");
        }
        return new ScaleSimConfig(runName, rows, cols, ifmapKb, filterKb, ofmapKb, dataflow, mode, bandwidths);
    }

    private record Entry(String value, String where) {
    }

    private static Map<String, Entry> entries(String text, String source) {
        Map<String, Entry> out = new HashMap<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";") || line.startsWith("[")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            int colon = line.indexOf(':');
            int equals = line.indexOf('=');
            int cut = colon < 0 ? equals : equals < 0 ? colon : Math.min(colon, equals);
            if (cut <= 0) {
                throw new InvalidInputException(where + ": expected 'key : value', found '" + line + "'");
            }
            String key = line.substring(0, cut).strip().toLowerCase(Locale.ROOT);
            out.put(key, new Entry(line.substring(cut + 1).strip(), where));
        }
        return out;
    }

    private static Entry required(Map<String, Entry> keys, String key, String source) {
        Entry e = keys.get(key.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new InvalidInputException(source + ": missing key " + key + " (under [architecture_presets])");
        }
        return e;
    }

    private static int positive(Map<String, Entry> keys, String key, String source) {
        Entry e = required(keys, key, source);
        int v = integer(e.value, key, e.where);
        if (v < 1) {
            throw new InvalidInputException(e.where + ": " + key + " must be at least 1, got " + v);
        }
        return v;
    }

    private static int integer(String text, String key, String where) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(where + ": " + key + " is '" + text + "', not a whole number", e);
        }
    }
}
