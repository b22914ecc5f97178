package dev.minnow.hw.roofline;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a roofline needs to know about a CPU: peak FLOP rates (one core, all cores) and
 * streaming memory bandwidth, measured by {@link MachineProbe} or read from a small
 * {@code key: value} file (a YAML subset) so a measurement can be cached and reused.
 *
 * @param peakGflopsOneCore  float32 FMA rate of one core, GFLOP/s (an FMA is 2 FLOPs)
 * @param peakGflops         the same with every core busy
 * @param readGBs            streaming read bandwidth over arrays much larger than the last cache, GB/s
 * @param triadGBs           STREAM triad bandwidth (a = b + s c, 12 bytes per element), GB/s
 */
public record Machine(String name, int cores, double peakGflopsOneCore, double peakGflops, double readGBs,
                      double triadGBs) {
    private static final List<String> KEYS = List.of("name", "cores", "peak_gflops_one_core", "peak_gflops",
            "read_gb_s", "triad_gb_s");

    public Machine {
        if (cores < 1) {
            throw new InvalidInputException("machine description: cores must be at least 1, got " + cores);
        }
        positive("peak_gflops_one_core", peakGflopsOneCore);
        positive("peak_gflops", peakGflops);
        positive("read_gb_s", readGBs);
        positive("triad_gb_s", triadGBs);
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidInputException("machine description: " + field + " must be a positive number, got " + v);
        }
    }

    /** The bandwidth roof: the better of the two streaming measurements (a roofline is an upper bound). */
    public double bandwidthGBs() {
        return Math.max(readGBs, triadGBs);
    }

    public String toYaml() {
        return "# minnow machine description (minnow cost --hw cpu --machine FILE)\n"
                + "name: " + name + "\n"
                + "cores: " + cores + "\n"
                + "peak_gflops_one_core: " + peakGflopsOneCore + "\n"
                + "peak_gflops: " + peakGflops + "\n"
                + "read_gb_s: " + readGBs + "\n"
                + "triad_gb_s: " + triadGBs + "\n";
    }

    /** Reads a file written by {@link #toYaml()} (or by hand); a missing or bad field names the line. */
    public static Machine read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> v = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": expected 'key: value', got '" + line + "'");
            }
            String key = line.substring(0, colon).strip();
            if (!KEYS.contains(key)) {
                throw new InvalidInputException(file + " line " + (i + 1) + ": unknown key '" + key + "'; keys: "
                        + String.join(", ", KEYS));
            }
            v.put(key, line.substring(colon + 1).strip());
        }
        for (String k : KEYS) {
            if (!v.containsKey(k)) {
                throw new InvalidInputException(file + ": missing '" + k + "'");
            }
        }
        try {
            return new Machine(v.get("name"), Integer.parseInt(v.get("cores")), Double.parseDouble(v.get("peak_gflops_one_core")),
                    Double.parseDouble(v.get("peak_gflops")), Double.parseDouble(v.get("read_gb_s")),
                    Double.parseDouble(v.get("triad_gb_s")));
        } catch (NumberFormatException e) {
            throw new InvalidInputException(file + ": a number does not parse (" + e.getMessage() + ")");
        }
    }
}
