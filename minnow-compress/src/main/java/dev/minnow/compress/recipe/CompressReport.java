package dev.minnow.compress.recipe;

import dev.minnow.compress.prune.PruneRun;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a run as JSON-ready values (report.json; report.html draws the same map): the
 * numbers before and after, every step's record, per-layer sizes, weight histograms, sensitivity
 * curves, every evaluated model (for the Pareto chart) and the graph coloured by compression.
 */
public final class CompressReport {
    /** Histograms keep at most this many weights per side (every k-th non-zero weight). */
    public static final int HISTOGRAM_VALUES = 20_000;

    private CompressReport() {
    }

    public static Map<String, Object> of(RecipeRunner.Result r, String model, String dataset) {
        StepRecord b = r.before();
        StepRecord a = r.after();
        Graph before = r.base();
        Graph after = r.last().graph();
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", model);
        j.put("dataset", dataset);
        j.put("recipe", r.recipe().name());
        j.put("top1_before", b.top1());
        j.put("top1_after", a.top1());
        j.put("size_bytes_before", b.sizeBytes());
        j.put("size_bytes_after", a.sizeBytes());
        j.put("compression", (double) b.sizeBytes() / Math.max(1, a.sizeBytes()));
        j.put("macs_before", b.macs());
        j.put("macs_after", a.macs());
        j.put("params_before", b.nonZeroParams());
        j.put("params_after", a.nonZeroParams());
        j.put("latency_ms_before", b.latencyMs());
        j.put("latency_ms_after", a.latencyMs());
        j.put("out", r.finalFile().toString());
        j.put("run_dir", r.dir().toString());
        j.put("resumed_after_step", r.resumedAfter());
        j.put("steps", r.records().stream().map(StepRecord::toMap).toList());
        j.put("layers", layers(before, after, r.last().weightBits()));
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("before", sample(weights(before)));
        h.put("after", sample(weights(after)));
        j.put("histograms", h);
        j.put("sensitivity", sensitivity(r.records()));
        j.put("trials", r.records().stream().map(s -> trial(s.index() + " " + s.kind(), s)).toList());
        j.put("graph", graph(before, after, r.last().weightBits()));
        return j;
    }

    /** One point of the trade-off charts. */
    public static Map<String, Object> trial(String label, StepRecord s) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("label", label);
        t.put("top1", s.top1());
        t.put("size_bytes", s.sizeBytes());
        t.put("latency_ms", s.latencyMs());
        return t;
    }

    /** The last sensitivity step's curves, or null when the recipe has none. */
    static Object sensitivity(List<StepRecord> records) {
        Object curves = null;
        for (StepRecord s : records) {
            if (s.kind().equals(StepKind.SENSITIVITY.key)) {
                curves = s.details().get("curves");
            }
        }
        return curves;
    }

    /** Per layer with weights: parameters (non-zero) before and after, sparsity, bits, MACs. */
    static List<Object> layers(Graph before, Graph after, Map<String, Integer> bits) {
        Map<String, Node> afterByName = new HashMap<>();
        after.nodes().forEach(n -> afterByName.put(n.name(), n));
        List<Object> rows = new ArrayList<>();
        for (Node n : before.nodes()) {
            long pb = params(before, n, false);
            if (pb == 0) {
                continue;
            }
            Node m = afterByName.get(n.name());
            long dense = m == null ? 0 : params(after, m, false);
            long pa = m == null ? 0 : params(after, m, true);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", n.name());
            row.put("op", n.opType());
            row.put("params_before", params(before, n, true));
            row.put("params_after", pa);
            row.put("sparsity", 1 - (double) pa / pb);
            row.put("bits", m == null || m.inputs().size() < 2 ? 32 : bits.getOrDefault(m.input(1), 32));
            row.put("macs_before", before.nodeMacs(n));
            row.put("macs_after", m == null ? 0 : after.nodeMacs(m));
            row.put("dense_params_after", dense);
            rows.add(row);
        }
        return rows;
    }

    /**
     * The model as nodes and edges (value producer to consumer); compression is the fraction of
     * the node's parameter bits removed (zeros, removed channels, narrower weights), 0 for nodes
     * without parameters.
     */
    static Map<String, Object> graph(Graph before, Graph after, Map<String, Integer> bits) {
        Map<String, Node> afterByName = new HashMap<>();
        after.nodes().forEach(n -> afterByName.put(n.name(), n));
        List<Object> nodes = new ArrayList<>();
        Map<String, String> producer = new HashMap<>();
        for (Node n : before.nodes()) {
            n.outputs().forEach(o -> producer.put(o, n.name()));
        }
        List<Object> edges = new ArrayList<>();
        for (Node n : before.nodes()) {
            long pb = params(before, n, false);
            Node m = afterByName.get(n.name());
            double compression = 0;
            if (pb > 0) {
                long pa = m == null ? 0 : params(after, m, true);
                int b = m == null || m.inputs().size() < 2 ? 32 : bits.getOrDefault(m.input(1), 32);
                compression = 1 - (double) pa * b / (pb * 32.0);
            }
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("name", n.name());
            node.put("op", n.opType());
            node.put("compression", Math.max(0, compression));
            nodes.add(node);
            for (String in : n.inputs()) {
                String from = producer.get(in);
                if (from != null) {
                    edges.add(List.of(from, n.name()));
                }
            }
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("nodes", nodes);
        g.put("edges", edges);
        return g;
    }

    /** Float parameters a node reads (weights, biases, statistics): all of them, or the non-zero ones. */
    private static long params(Graph g, Node n, boolean nonZeroOnly) {
        long c = 0;
        for (String in : n.inputs()) {
            Tensor t = g.initializers().get(in);
            if (t == null || !t.dtype().isFloating()) {
                continue;
            }
            if (!nonZeroOnly) {
                c += t.size();
                continue;
            }
            for (float v : t.floats()) {
                c += v != 0 ? 1 : 0;
            }
        }
        return c;
    }

    /** The non-zero weights of the prunable layers. */
    static float[] weights(Graph g) {
        int n = 0;
        List<float[]> parts = new ArrayList<>();
        for (String w : PruneRun.prunableWeights(g)) {
            float[] x = g.initializers().get(w).floats();
            parts.add(x);
            for (float v : x) {
                n += v != 0 ? 1 : 0;
            }
        }
        float[] all = new float[n];
        int o = 0;
        for (float[] x : parts) {
            for (float v : x) {
                if (v != 0) {
                    all[o++] = v;
                }
            }
        }
        return all;
    }

    /** At most HISTOGRAM_VALUES values: every k-th, so the sample keeps each layer's share. */
    static List<Double> sample(float[] v) {
        int stride = Math.max(1, (v.length + HISTOGRAM_VALUES - 1) / HISTOGRAM_VALUES);
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < v.length; i += stride) {
            r.add((double) v[i]);
        }
        return r;
    }
}
