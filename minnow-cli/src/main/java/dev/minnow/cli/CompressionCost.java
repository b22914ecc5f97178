package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Value;
import dev.minnow.hw.energy.CompressionEnergy;
import dev.minnow.hw.energy.EnergyTable;
import dev.minnow.hw.energy.EnergyTarget;
import dev.minnow.hw.energy.LayerWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code cost --baseline DENSE} and {@code cost --steps DIR}: energy per inference of each
 * compression step against the dense fp32 model, by memory level and by effect
 * ({@link CompressionEnergy}). A run folder is read as {@code minnow compress} writes it:
 * {@code step-0-base.onnx} is the baseline, then {@code step-N-KIND.onnx|.mnz} in N's order.
 */
final class CompressionCost {
    private static final Pattern STEP = Pattern.compile("step-(\\d+)-([a-z]+)\\.(onnx|mnz)");

    private CompressionCost() {
    }

    record Step(int index, String kind, Path file) {
    }

    /** The step files of a run folder, in order; the first is step 0. */
    static List<Step> readFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("--steps " + dir + " is not a folder; give the --out folder of a minnow compress run");
        }
        TreeMap<Integer, Step> steps = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = STEP.matcher(p.getFileName().toString());
                if (m.matches()) {
                    int i = Integer.parseInt(m.group(1));
                    Step prev = steps.put(i, new Step(i, m.group(2), p));
                    if (prev != null && !prev.file().getFileName().toString().endsWith(".onnx")
                            && p.getFileName().toString().endsWith(".onnx")) {
                        steps.put(i, prev); // a step that wrote both keeps its .mnz (the encoded form)
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (steps.isEmpty() || steps.firstKey() != 0) {
            throw new InvalidInputException("--steps " + dir + " has no step-0-*.onnx (the dense baseline) and step files"
                    + " step-N-KIND.onnx|.mnz; give the --out folder of a minnow compress run");
        }
        return new ArrayList<>(steps.values());
    }

    static String run(List<Step> steps, EnergyTarget hw, double activationDensity, Map<String, Object> r) {
        EnergyTable table = EnergyTable.horowitz45nm();
        Graph base = Models.load(steps.get(0).file().toString(), 1);
        List<LayerWeights> baseLayers = LayerWeights.of(base);
        Table t = new Table("step", "file", "compute uJ", "SRAM uJ", "DRAM uJ", "total uJ", "saving", "weights KB",
                "factors");
        List<Map<String, Object>> rows = new ArrayList<>();
        CompressionEnergy.Comparison last = null;
        for (Step s : steps) {
            Graph g = s.index() == 0 ? base : Models.load(s.file().toString(), 1);
            if (s.index() != 0) {
                sameInterface(base, g, s.file());
            }
            CompressionEnergy.Comparison c = CompressionEnergy.compare(LayerWeights.of(g), baseLayers, hw, table,
                    activationDensity);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.index());
            m.put("kind", s.kind());
            m.put("file", s.file().toString());
            m.put("energy_pj", c.energy().totalPj());
            m.put("energy_breakdown_pj", split(c.energy()));
            m.put("saving", c.saving());
            Map<String, Object> f = new LinkedHashMap<>();
            StringBuilder fs = new StringBuilder();
            for (CompressionEnergy.Factor x : c.factors()) {
                f.put(x.effect().replace(' ', '_'), x.factor());
                if (Math.abs(x.factor() - 1) > 0.005) {
                    fs.append(fs.isEmpty() ? "" : ", ").append(x.effect()).append(String.format(" %.2fx", x.factor()));
                }
            }
            m.put("factors", f);
            m.put("stored_weight_bytes", c.storedWeightBytes());
            m.put("weights_on_chip", c.weightsOnChip());
            rows.add(m);
            t.row(s.index() + " " + s.kind(), s.file().getFileName().toString(), uj(c.energy().computePj()),
                    uj(c.energy().sramPj()), uj(c.energy().dramPj()), uj(c.energy().totalPj()),
                    String.format("%.2fx", c.saving()), String.format("%.1f", c.storedWeightBytes() / 1024.0),
                    fs.isEmpty() ? "-" : fs.toString());
            last = c;
        }
        r.put("hw", hw.name());
        r.put("energy_table", table.name() + " (" + table.source() + ")");
        r.put("activation_density", activationDensity);
        r.put("on_chip_kb", hw.onChipKb());
        r.put("baseline", steps.get(0).file().toString());
        r.put("baseline_energy_pj", last.baseline().totalPj());
        r.put("baseline_breakdown_pj", split(last.baseline()));
        r.put("energy_pj", last.energy().totalPj());
        r.put("saving", last.saving());
        r.put("steps", rows);
        return String.format("Energy per inference on %s (%s), weights on chip up to %d KB, activation density %.3f%n%n",
                hw.name(), table.name(), hw.onChipKb(), activationDensity)
                + t.render()
                + String.format("%nFactors multiply to the saving against step 0 (docs/HARDWARE.md, 'Energy by compression step').%n");
    }

    private static Map<String, Object> split(CompressionEnergy.Split s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("compute", s.computePj());
        m.put("sram", s.sramPj());
        m.put("dram", s.dramPj());
        return m;
    }

    private static String uj(double pj) {
        return String.format("%.4g", pj / 1e6);
    }

    /** A step must take the baseline's inputs and give its outputs, or it is not the same model compressed. */
    private static void sameInterface(Graph base, Graph g, Path file) {
        if (!shapes(base.inputs()).equals(shapes(g.inputs())) || !shapes(base.outputs()).equals(shapes(g.outputs()))) {
            throw new InvalidInputException(file + " does not match the baseline: inputs " + shapes(g.inputs()) + " -> outputs "
                    + shapes(g.outputs()) + " against " + shapes(base.inputs()) + " -> " + shapes(base.outputs())
                    + "; compare a model only with the dense model it was compressed from");
        }
    }

    private static List<String> shapes(List<Value> vs) {
        List<String> out = new ArrayList<>();
        for (Value v : vs) {
            out.add(v.type() == null ? "?" : v.type().shape().toString());
        }
        return out;
    }
}
