package dev.minnow.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Report maps for the tests: a full one shaped like LeNet-5 after deep compression, and a minimal one. */
public final class SampleReports {
    /** A layer name that needs escaping everywhere it appears. */
    public static final String NASTY = "conv<1>&\"x\"";

    private SampleReports() {
    }

    public static Map<String, Object> minimal() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", "tiny");
        r.put("top1_before", 0.9);
        r.put("top1_after", 0.89);
        r.put("size_bytes_before", 1000);
        r.put("size_bytes_after", 250);
        return r;
    }

    public static Map<String, Object> full() {
        Random rnd = new Random(7);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", "lenet5 <test> & \"friends\"");
        r.put("dataset", "mnist");
        r.put("recipe", "deep-compression");
        r.put("top1_before", 0.9912);
        r.put("top1_after", 0.9895);
        r.put("size_bytes_before", 1_722_000L);
        r.put("size_bytes_after", 41_000L);
        r.put("macs_before", 2_300_000L);
        r.put("macs_after", 450_000L);
        r.put("params_before", 430_500L);
        r.put("params_after", 36_000L);
        r.put("latency_ms_before", 0.41);
        r.put("latency_ms_after", 0.19);
        r.put("energy_pj_before", 9.1e6);
        r.put("energy_pj_after", 1.3e6);
        r.put("goal", Map.of("max_accuracy_drop", 0.01, "target_size", 50_000));
        r.put("goal_met", true);
        r.put("seed", 42);
        List<String> layerNames = List.of(NASTY, "conv2", "fc1", "fc2", "fc3");
        List<Object> steps = new ArrayList<>();
        String[] kinds = {"prune", "fine-tune", "cluster", "encode"};
        double size = 1_722_000;
        for (int i = 0; i < kinds.length; i++) {
            size /= 2.5;
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("index", i + 1);
            s.put("kind", kinds[i]);
            s.put("settings", Map.of("sparsity", 0.9, "layers", List.of("fc1", NASTY)));
            s.put("top1", 0.985 + 0.001 * i);
            s.put("size_bytes", size);
            s.put("params", 36_000);
            s.put("macs", 450_000);
            s.put("latency_ms", 0.3 - 0.02 * i);
            s.put("energy_pj", 2e6);
            s.put("seconds", 12.5 * (i + 1));
            s.put("out", "step" + (i + 1) + ".onnx");
            s.put("record", Map.of("note", "kept <" + NASTY + ">", "per_layer", Map.of("fc1", 0.92)));
            steps.add(s);
        }
        r.put("steps", steps);
        List<Object> layers = new ArrayList<>();
        for (String n : layerNames) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", n);
            l.put("op", n.startsWith("fc") ? "Gemm" : "Conv");
            l.put("params_before", 10_000);
            l.put("params_after", 900);
            l.put("sparsity", 0.91);
            l.put("bits", 5);
            l.put("macs_before", 100_000);
            l.put("macs_after", 9_000);
            l.put("time_ms", 0.05);
            layers.add(l);
        }
        r.put("layers", layers);
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            double w = 0.1 * rnd.nextGaussian();
            before.add(w);
            if (Math.abs(w) > 0.12) {
                after.add(Math.round(w * 16) / 16.0);
            }
        }
        r.put("histograms", Map.of("before", before, "after", after));
        Map<String, Object> sens = new LinkedHashMap<>();
        for (String n : layerNames) {
            List<Object> curve = new ArrayList<>();
            double k = 0.2 + rnd.nextDouble();
            for (double s = 0; s <= 0.951; s += 0.1) {
                curve.add(List.of(s, 0.99 - 0.5 * Math.pow(s, 6 * k)));
            }
            sens.put(n, curve);
        }
        r.put("sensitivity", sens);
        List<Object> trials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            trials.add(Map.of("label", "trial " + i, "top1", 0.97 + 0.02 * rnd.nextDouble(),
                    "size_bytes", 20_000 + 200_000 * rnd.nextDouble(), "latency_ms", 0.1 + 0.3 * rnd.nextDouble()));
        }
        r.put("trials", trials);
        List<Object> nodes = new ArrayList<>();
        List<Object> edges = new ArrayList<>();
        String prev = "input";
        nodes.add(node("input", "Input", null));
        String[] ops = {"Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm",
            "Relu", "Gemm", "Softmax"};
        int weighted = 0;
        for (int i = 0; i < ops.length; i++) {
            boolean w = ops[i].equals("Conv") || ops[i].equals("Gemm");
            String name = w ? layerNames.get(weighted++) : ops[i].toLowerCase() + i;
            nodes.add(node(name, ops[i], w ? 0.2 * weighted : null));
            edges.add(List.of(prev, name));
            prev = name;
        }
        edges.add(List.of("fc1", "no-such-node"));
        r.put("graph", Map.of("nodes", nodes, "edges", edges));
        return r;
    }

    private static Map<String, Object> node(String name, String op, Double compression) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("name", name);
        n.put("op", op);
        n.put("compression", compression);
        return n;
    }
}
