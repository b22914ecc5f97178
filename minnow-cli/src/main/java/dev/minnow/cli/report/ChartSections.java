package dev.minnow.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's drawn sections: trade-offs, per-step bars, weight histograms, sensitivity, graph. */
final class ChartSections {
    private ChartSections() {
    }

    static void tradeoffs(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"tradeoff\"><h2>Accuracy against size and latency</h2>\n");
        List<Map<String, Object>> trials = Values.maps(r, "trials");
        boolean fromSteps = trials.isEmpty();
        List<Map<String, Object>> source = new ArrayList<>();
        if (fromSteps) {
            // without a search, each step's model is one point of what was tried
            int n = 0;
            for (Map<String, Object> s : Values.steps(r)) {
                Map<String, Object> t = new LinkedHashMap<>(s);
                t.put("label", (++n) + " " + Values.str(s, "kind"));
                source.add(t);
            }
            missing.add("search trials (the trade-off charts show the recipe's steps instead)");
        } else {
            source = trials;
        }
        String size = tradeoff("chart-size", "Top-1 against size", "size (kB, log scale)", true, r, source,
                "size_bytes", 1e-3);
        String latency = tradeoff("chart-latency", "Top-1 against latency", "latency (ms)", false, r, source,
                "latency_ms", 1);
        if (size == null && latency == null) {
            b.append("<p class=\"note\">No accuracy with size or latency was recorded.</p>\n");
            missing.add("accuracy-versus-cost points");
        } else {
            b.append("<div class=\"charts\">");
            for (String svg : new String[] {size, latency}) {
                if (svg != null) {
                    b.append("<figure>").append(svg).append("</figure>");
                }
            }
            b.append("</div>\n<p class=\"note\">").append(fromSteps ? "Grey: the model after each step. "
                    : "Grey: every model that was evaluated. ").append("Red line: the Pareto front (no other model "
                    + "is both smaller or faster and more accurate). Blue square: the original; green diamond: the "
                    + "compressed model.</p>\n");
        }
        b.append("</section>\n");
    }

    private static String tradeoff(String id, String title, String axis, boolean log, Map<String, Object> r,
            List<Map<String, Object>> source, String key, double scale) {
        List<SvgCharts.Tried> tried = new ArrayList<>();
        for (Map<String, Object> t : source) {
            Double cost = Values.num(t, key);
            Double top1 = Values.num(t, "top1");
            if (cost != null && top1 != null) {
                tried.add(new SvgCharts.Tried(String.valueOf(t.get("label")), cost * scale, top1));
            }
        }
        SvgCharts.Tried before = tried(r, "original", key + "_before", "top1_before", scale);
        SvgCharts.Tried after = tried(r, "compressed", key + "_after", "top1_after", scale);
        if (tried.isEmpty() && before == null && after == null) {
            return null;
        }
        return SvgCharts.tradeoff(id, title, axis, log, tried, before, after);
    }

    private static SvgCharts.Tried tried(Map<String, Object> r, String label, String costKey, String top1Key,
            double scale) {
        Double cost = Values.num(r, costKey);
        Double top1 = Values.num(r, top1Key);
        return cost == null || top1 == null ? null : new SvgCharts.Tried(label, cost * scale, top1);
    }

    static void perStep(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"per-step\"><h2>After each step</h2>\n");
        List<Map<String, Object>> steps = Values.steps(r);
        Map<String, Map<String, Double>> cost = new LinkedHashMap<>();
        String[][] metrics = {{"size", "size_bytes"}, {"MACs", "macs"}, {"latency", "latency_ms"},
            {"energy", "energy_pj"}};
        for (String[] m : metrics) {
            Double base = Values.num(r, m[1] + "_before");
            if (base == null || base <= 0) {
                continue;
            }
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("original", 100.0);
            int n = 0;
            for (Map<String, Object> s : steps) {
                Double v = Values.num(s, m[1]);
                row.put(category(++n, s), v == null ? null : 100 * v / base);
            }
            if (n > 0 && row.values().stream().skip(1).anyMatch(v -> v != null)) {
                cost.put(m[0], row);
            }
        }
        Map<String, Double> top1 = new LinkedHashMap<>();
        Double t0 = Values.num(r, "top1_before");
        top1.put("original", t0 == null ? null : 100 * t0);
        int n = 0;
        for (Map<String, Object> s : steps) {
            Double v = Values.num(s, "top1");
            top1.put(category(++n, s), v == null ? null : 100 * v);
        }
        boolean anyTop1 = top1.values().stream().skip(1).anyMatch(v -> v != null);
        if (cost.isEmpty() && !anyTop1) {
            b.append("<p class=\"note\">No per-step numbers were recorded.</p></section>\n");
            missing.add("per-step charts");
            return;
        }
        b.append("<div class=\"charts\">");
        if (!cost.isEmpty()) {
            b.append("<figure>").append(SvgCharts.bars("chart-steps-cost", "Cost after each step (% of the original)",
                    "% of the original", cost, true)).append("</figure>");
        }
        if (anyTop1) {
            b.append("<figure>").append(SvgCharts.bars("chart-steps-top1", "Top-1 after each step", "top-1 (%)",
                    Map.of("top-1", top1), false)).append("</figure>");
        }
        b.append("</div></section>\n");
    }

    private static String category(int n, Map<String, Object> step) {
        String kind = Values.str(step, "kind");
        return n + " " + (kind == null ? "step" : kind);
    }

    static void weights(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"weights\"><h2>Weights</h2>\n");
        Map<String, Object> h = Values.map(r, "histograms");
        Map<String, double[]> sets = new LinkedHashMap<>();
        if (h != null) {
            for (String k : List.of("before", "after")) {
                double[] v = java.util.Arrays.stream(Values.numbers(h, k)).filter(x -> x != 0).toArray();
                if (v.length > 0) {
                    sets.put(k, v);
                }
            }
        }
        if (sets.isEmpty()) {
            b.append("<p class=\"note\">No weight samples were recorded.</p></section>\n");
            missing.add("weight histograms");
            return;
        }
        b.append("<figure>").append(SvgCharts.histograms("chart-weights", sets, 80)).append("<figcaption>Non-zero "
                + "weights of all layers, sampled. Pruning empties the middle; quantization and clustering leave "
                + "spikes at the shared values.</figcaption></figure></section>\n");
    }

    static void sensitivity(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"sensitivity\"><h2>Sensitivity</h2>\n");
        Map<String, Object> s = Values.map(r, "sensitivity");
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        if (s != null) {
            s.forEach((layer, pts) -> {
                List<double[]> curve = new ArrayList<>();
                if (pts instanceof List<?> l) {
                    for (Object p : l) {
                        double[] xy = p instanceof List<?> pair ? Values.numbers(pair) : new double[0];
                        if (xy.length == 2) {
                            curve.add(xy);
                        }
                    }
                }
                if (!curve.isEmpty()) {
                    curves.put(layer, curve);
                }
            });
        }
        if (curves.isEmpty()) {
            b.append("<p class=\"note\">No sensitivity analysis in this run (the recipe has no sensitivity step)."
                    + "</p></section>\n");
            missing.add("sensitivity curves");
            return;
        }
        b.append("<figure>").append(SvgCharts.sensitivity("chart-sensitivity", curves)).append("<figcaption>Each "
                + "layer pruned alone to each sparsity, the rest untouched: a flat curve is a layer that can lose "
                + "many weights.</figcaption></figure></section>\n");
    }

    static void graph(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"graph\"><h2>Model graph</h2>\n");
        Map<String, Object> g = Values.map(r, "graph");
        // the per-layer table lists exactly the layers with weights: an op outside it that reads
        // as 0% compressed has nothing to compress, and is drawn grey rather than "unchanged"
        java.util.Set<String> weighted = new java.util.HashSet<>();
        Values.maps(r, "layers").forEach(l -> weighted.add(Values.str(l, "name")));
        List<GraphDrawing.Node> nodes = new ArrayList<>();
        for (Map<String, Object> n : Values.maps(g, "nodes")) {
            String name = Values.str(n, "name");
            if (name != null) {
                String op = Values.str(n, "op");
                Double compression = Values.num(n, "compression");
                if (!weighted.isEmpty() && !weighted.contains(name) && compression != null && compression == 0) {
                    compression = null;
                }
                nodes.add(new GraphDrawing.Node(name, op == null ? "?" : op, compression));
            }
        }
        if (nodes.isEmpty()) {
            b.append("<p class=\"note\">The model graph was not recorded.</p></section>\n");
            missing.add("model graph");
            return;
        }
        List<GraphDrawing.Edge> edges = new ArrayList<>();
        for (Object e : Values.list(g, "edges")) {
            if (e instanceof List<?> l && l.size() == 2 && l.get(0) != null && l.get(1) != null) {
                edges.add(new GraphDrawing.Edge(String.valueOf(l.get(0)), String.valueOf(l.get(1))));
            }
        }
        b.append("<figure>").append(GraphDrawing.legend("graph-legend")).append("<div class=\"graphbox\">")
                .append(GraphDrawing.svg("graph-drawing", nodes, edges)).append("</div><figcaption>Each box is an "
                + "op, filled by how much the layer was compressed (0%: as it was; 100%: "
                + "nothing left of its float weights). Hover a box for its numbers. Layout by Eclipse ELK (layered).</figcaption></figure></section>\n");
    }
}
