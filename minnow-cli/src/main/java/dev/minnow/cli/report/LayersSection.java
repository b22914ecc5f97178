package dev.minnow.cli.report;

import java.util.List;
import java.util.Map;

/** The per-layer table: what each weighted layer kept (sparsity, bits, params, MACs) and its time. */
final class LayersSection {
    private LayersSection() {
    }

    static void append(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"layers\"><h2>Layers</h2>\n");
        List<Map<String, Object>> layers = Values.maps(r, "layers");
        if (layers.isEmpty()) {
            b.append("<p class=\"note\">No per-layer numbers were recorded.</p></section>\n");
            missing.add("per-layer numbers");
            return;
        }
        b.append("<div class=\"wide\"><table><tr><th class=\"l\">layer</th><th class=\"l\">op</th>"
                + "<th>params before</th><th>params after</th><th>sparsity</th><th>bits</th>"
                + "<th>MACs before</th><th>MACs after</th><th>time</th></tr>\n");
        for (Map<String, Object> l : layers) {
            Double bits = Values.num(l, "bits");
            b.append("<tr><td class=\"l\">").append(Fmt.esc(Values.str(l, "name"))).append("</td><td class=\"l\">")
                    .append(Fmt.esc(Values.str(l, "op"))).append("</td><td>")
                    .append(Fmt.count(Values.num(l, "params_before"))).append("</td><td>")
                    .append(Fmt.count(Values.num(l, "params_after"))).append("</td><td>")
                    .append(Fmt.fraction(Values.num(l, "sparsity"))).append("</td><td>")
                    .append(bits == null ? Fmt.MISSING : Fmt.number(bits)).append("</td><td>")
                    .append(Fmt.count(Values.num(l, "macs_before"))).append("</td><td>")
                    .append(Fmt.count(Values.num(l, "macs_after"))).append("</td><td>")
                    .append(Fmt.ms(Values.num(l, "time_ms"))).append("</td></tr>\n");
        }
        b.append("</table></div></section>\n");
    }
}
