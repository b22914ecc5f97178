package dev.minnow.cli.report;

import java.util.List;
import java.util.Map;

/** The table of recipe steps: each step's metrics after it ran, its settings and its record. */
final class StepsSection {
    private StepsSection() {
    }

    static void append(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"steps\"><h2>Steps</h2>\n");
        List<Map<String, Object>> steps = Values.steps(r);
        if (steps.isEmpty()) {
            b.append("<p class=\"note\">No steps were recorded.</p></section>\n");
            missing.add("steps");
            return;
        }
        b.append("<div class=\"wide\"><table><tr><th>#</th><th class=\"l\">step</th><th>top-1</th><th>size</th>"
                + "<th>params</th><th>MACs</th><th>latency</th><th>energy</th><th>time taken</th>"
                + "<th class=\"l\">settings and record</th></tr>\n");
        b.append("<tr><td></td><td class=\"l\"><i>original</i></td><td>").append(Fmt.top1(Values.num(r, "top1_before")))
                .append("</td><td>").append(Fmt.bytes(Values.num(r, "size_bytes_before"))).append("</td><td>")
                .append(Fmt.count(Values.num(r, "params_before"))).append("</td><td>")
                .append(Fmt.count(Values.num(r, "macs_before"))).append("</td><td>")
                .append(Fmt.ms(Values.num(r, "latency_ms_before"))).append("</td><td>")
                .append(Fmt.energyPj(Values.num(r, "energy_pj_before"))).append("</td><td></td><td></td></tr>\n");
        int n = 0;
        for (Map<String, Object> s : steps) {
            n++;
            Double index = Values.num(s, "index");
            String kind = Values.str(s, "kind");
            b.append("<tr><td>").append(index == null ? n : Fmt.number(index)).append("</td><td class=\"l\"><b>")
                    .append(Fmt.esc(kind == null ? "?" : kind)).append("</b></td><td>")
                    .append(Fmt.top1(Values.num(s, "top1"))).append("</td><td>")
                    .append(Fmt.bytes(Values.num(s, "size_bytes"))).append("</td><td>")
                    .append(Fmt.count(Values.num(s, "params"))).append("</td><td>")
                    .append(Fmt.count(Values.num(s, "macs"))).append("</td><td>")
                    .append(Fmt.ms(Values.num(s, "latency_ms"))).append("</td><td>")
                    .append(Fmt.energyPj(Values.num(s, "energy_pj"))).append("</td><td>")
                    .append(Fmt.seconds(Values.num(s, "seconds"))).append("</td><td class=\"l\">");
            Map<String, Object> settings = Values.map(s, "settings");
            if (settings != null && !settings.isEmpty()) {
                b.append("<code>").append(Fmt.esc(Fmt.compact(settings))).append("</code>");
            }
            String out = Values.str(s, "out");
            if (out != null) {
                b.append("<br>wrote <code>").append(Fmt.esc(out)).append("</code>");
            }
            Map<String, Object> record = Values.map(s, "record");
            if (record != null && !record.isEmpty()) {
                b.append("<details><summary>record</summary><table class=\"kv\">");
                record.forEach((k, v) -> b.append("<tr><th>").append(Fmt.esc(k)).append("</th><td><code>")
                        .append(Fmt.esc(Fmt.compact(v))).append("</code></td></tr>"));
                b.append("</table></details>");
            }
            b.append("</td></tr>\n");
        }
        b.append("</table></div></section>\n");
    }
}
