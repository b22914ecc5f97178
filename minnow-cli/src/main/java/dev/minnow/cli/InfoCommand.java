package dev.minnow.cli;

import dev.minnow.graph.Graph;
import dev.minnow.hw.CostReport;
import dev.minnow.hw.LayerCost;
import dev.minnow.zoo.Zoo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show a model's layers with their parameters, MACs, bytes moved, arithmetic intensity and output shapes.",
                "MACs are multiply-accumulates of one forward pass at batch 1; bytes are the tensors each layer reads",
                "and writes at their element types; intensity is FLOPs (2 per MAC) per byte (docs/COST.md)."},
        footer = {"", "Examples:", "  minnow info lenet5", "  minnow info model.onnx --json", "  minnow info --list"})
final class InfoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "0..1", paramLabel = "MODEL", description = "An .onnx or .mnz file or a zoo model name.")
    String model;

    @Option(names = "--list", description = "List the zoo models.")
    boolean list;

    @Option(names = "--channel-groups", description = "List the channel groups that channel pruning sees (what"
            + " `prune --group-sparsity` names): each group's layers, channels, and why a blocked group cannot be pruned.")
    boolean channelGroups;

    @Override
    public Integer call() {
        common.apply();
        if (list || model == null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("zoo", Zoo.names());
            common.emit(r, "Zoo models: " + String.join(", ", Zoo.names()) + "\n");
            return 0;
        }
        Graph g = Models.load(model, 1);
        if (channelGroups) {
            return listGroups(g);
        }
        CostReport s = CostReport.of(g);
        List<Map<String, Object>> layers = new ArrayList<>();
        Table t = new Table("layer", "op", "params", "MACs", "read", "written", "FLOP/B", "output shape");
        for (LayerCost l : s.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("op", l.op());
            m.put("params", l.params());
            m.put("macs", l.macs());
            m.put("output_shape", l.outputShape());
            m.put("bytes_read", l.bytesRead());
            m.put("bytes_written", l.bytesWritten());
            m.put("weight_bytes", l.weightBytes());
            m.put("activation_bytes", l.activationBytes());
            m.put("arithmetic_intensity", l.arithmeticIntensity());
            layers.add(m);
            t.row(l.name(), l.op(), Table.count(l.params()), Table.count(l.macs()), bytes(l.bytesRead()),
                    bytes(l.bytesWritten()), String.format("%.1f", l.arithmeticIntensity()), shape(l.outputShape()));
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("name", g.name());
        r.put("params", s.params());
        r.put("macs", s.macs());
        r.put("bytes_read", s.bytesRead());
        r.put("bytes_written", s.bytesWritten());
        r.put("weight_bytes", s.weightBytes());
        r.put("activation_bytes", s.activationBytes());
        r.put("arithmetic_intensity", s.arithmeticIntensity());
        r.put("inputs", g.inputs().stream().map(v -> v.name() + ":" + v.type()).toList());
        r.put("outputs", g.outputs().stream().map(v -> v.name() + ":" + v.type()).toList());
        r.put("layers", layers);
        String human = t.render() + String.format("%nTotal: %s parameters, %s MACs, %s read, %s written"
                        + " (%s weights, %s activations), %.1f FLOP/B, %d nodes%n",
                Table.count(s.params()), Table.count(s.macs()), bytes(s.bytesRead()), bytes(s.bytesWritten()),
                bytes(s.weightBytes()), bytes(s.activationBytes()), s.arithmeticIntensity(), g.nodes().size());
        common.emit(r, human);
        return 0;
    }

    private int listGroups(Graph g) {
        var deps = dev.minnow.compress.prune.ChannelDependencies.of(g);
        List<Map<String, Object>> groups = new ArrayList<>();
        Table t = new Table("group", "channels", "prunable", "layers", "blocked by");
        for (var grp : deps.groups()) {
            if (grp.sourceNodes().isEmpty()) {
                continue; // a graph input's channels: nothing makes them
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", grp.name());
            m.put("channels", grp.size());
            m.put("prunable", grp.prunable());
            m.put("layers", List.copyOf(grp.sourceNodes()));
            m.put("blocked_by", grp.blockedBy());
            groups.add(m);
            t.row(grp.name(), String.valueOf(grp.size()), grp.prunable() ? "yes" : "no",
                    String.valueOf(grp.sourceNodes().size()), grp.blockedBy() == null ? "" : grp.blockedBy());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", model);
        r.put("groups", groups);
        common.emit(r, t.render() + String.format("%n%d groups, %d prunable. `minnow prune MODEL --granularity channel"
                + " --group-sparsity NAME=F` prunes a fraction F of one (a pattern with * names several; F = 1"
                + " removes a residual block's inner group whole).%n", groups.size(),
                groups.stream().filter(m -> (Boolean) m.get("prunable")).count()));
        return 0;
    }

    /** Bytes in binary units (KiB = 1024 B), one decimal above 1 KiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f%s", v, units[u]);
    }

    private static String shape(int[] dims) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            b.append(i > 0 ? "x" : "").append(dims[i] < 0 ? "N" : String.valueOf(dims[i]));
        }
        return b.toString();
    }
}
