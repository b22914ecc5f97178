package dev.minnow.cli.report;

import dev.minnow.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The compression report as one self-contained HTML file: numbers in tables, charts and the
 * model graph as inline SVG, no scripts or styles from the network (a Content-Security-Policy
 * forbids them), so it opens from disk and prints. Every key of the report map is optional:
 * a missing part is named in the page instead of drawn. See docs/COMPRESS.md, "Report".
 */
public final class ReportHtml {
    /** Top-level keys this page draws; any other scalar key is listed under "Run details". */
    private static final Set<String> DRAWN = Set.of("model", "dataset", "recipe", "top1_before", "top1_after",
            "size_bytes_before", "size_bytes_after", "macs_before", "macs_after", "params_before", "params_after",
            "latency_ms_before", "latency_ms_after", "energy_pj_before", "energy_pj_after", "goal", "goal_met",
            "steps", "layers", "histograms", "sensitivity", "trials", "graph");

    private ReportHtml() {
    }

    /** Writes the report for {@code report} (the report.json map) to {@code html}, atomically. */
    public static void write(Map<String, Object> report, Path html) {
        byte[] bytes = render(report).getBytes(StandardCharsets.UTF_8);
        try {
            AtomicFiles.write(html, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report " + html + ": " + e.getMessage(), e);
        }
    }

    /** The report page as a string. */
    public static String render(Map<String, Object> report) {
        Map<String, Object> r = report == null ? Map.of() : report;
        String model = Values.str(r, "model");
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                        + "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Minnow compression report").append(model == null ? "" : ": " + Fmt.esc(model))
                .append("</title>\n<script>")
                // counts errors (scripts and resources) from the start, for the browser test and for users
                .append("addEventListener('error',function(){var d=document.documentElement;"
                        + "d.setAttribute('data-errors',(+(d.getAttribute('data-errors')||0))+1);},true);")
                .append("</script>\n<style>").append(CSS).append("</style></head>\n<body>\n");
        header(b, r, model);
        Headline.append(b, r);
        List<String> missing = new ArrayList<>();
        StepsSection.append(b, r, missing);
        ChartSections.tradeoffs(b, r, missing);
        ChartSections.perStep(b, r, missing);
        LayersSection.append(b, r, missing);
        ChartSections.weights(b, r, missing);
        ChartSections.sensitivity(b, r, missing);
        ChartSections.graph(b, r, missing);
        details(b, r, missing);
        b.append("<footer>Made by Minnow. This page is self-contained: it needs no network.</footer>\n");
        // marks how many drawings have a size once laid out (the browser test reads it back)
        b.append("<script>addEventListener('load',function(){var n=0;document.querySelectorAll('svg')"
                + ".forEach(function(s){var r=s.getBoundingClientRect();if(r.width>0&&r.height>0)n++;});"
                + "document.documentElement.setAttribute('data-rendered-svgs',n);});</script>\n");
        b.append("</body></html>\n");
        return b.toString();
    }

    private static void header(StringBuilder b, Map<String, Object> r, String model) {
        b.append("<header><h1>Compression report").append(model == null ? "" : ": " + Fmt.esc(model))
                .append("</h1>\n<p class=\"sub\">");
        List<String> parts = new ArrayList<>();
        for (String k : List.of("dataset", "recipe")) {
            String v = Values.str(r, k);
            parts.add(k + " " + (v == null ? Fmt.MISSING : "<b>" + Fmt.esc(v) + "</b>"));
        }
        b.append(String.join(" · ", parts)).append("</p>\n");
        b.append("<nav>").append(String.join(" · ", List.of(link("summary", "Summary"), link("steps", "Steps"),
                link("tradeoff", "Trade-off"), link("per-step", "Per step"), link("layers", "Layers"),
                link("weights", "Weights"), link("sensitivity", "Sensitivity"), link("graph", "Graph"),
                link("details", "Details")))).append("</nav></header>\n");
    }

    private static String link(String id, String text) {
        return "<a href=\"#" + id + "\">" + text + "</a>";
    }

    private static void details(StringBuilder b, Map<String, Object> r, List<String> missing) {
        b.append("<section id=\"details\"><h2>Run details</h2>\n");
        Map<String, Object> extra = new LinkedHashMap<>();
        r.forEach((k, v) -> {
            if (!DRAWN.contains(k)) {
                extra.put(k, v);
            }
        });
        if (!extra.isEmpty()) {
            b.append("<table class=\"kv\">");
            extra.forEach((k, v) -> b.append("<tr><th>").append(Fmt.esc(k)).append("</th><td>")
                    .append(Fmt.esc(Fmt.compact(v))).append("</td></tr>"));
            b.append("</table>\n");
        }
        if (!missing.isEmpty()) {
            b.append("<p>Not in this report: ").append(Fmt.esc(String.join("; ", missing))).append(".</p>\n");
        }
        if (extra.isEmpty() && missing.isEmpty()) {
            b.append("<p>Nothing else was recorded.</p>\n");
        }
        b.append("</section>\n");
    }

    static String percentOf(double part, double whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * part / whole);
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1b1b1b;\
            max-width:1180px;margin:0 auto;padding:16px 24px;background:#fff}
            h1{font-size:24px;margin:8px 0 2px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid #ccc;\
            padding-bottom:3px}
            .sub{color:#555;margin:0 0 6px}nav{font-size:13px;margin-bottom:8px}nav a{color:#1f5fa8}
            table{border-collapse:collapse;margin:6px 0 10px;font-variant-numeric:tabular-nums}
            th,td{border:1px solid #d4d4d4;padding:3px 8px;text-align:right;vertical-align:top}
            th{background:#f3f5f8;font-weight:600}td{white-space:nowrap}td.l,th.l{text-align:left;white-space:normal}
            table.kv th{text-align:left}table.kv td{text-align:left;white-space:normal}
            .wide{overflow-x:auto}
            .verdict{font-size:16px;padding:8px 12px;border-left:5px solid #888;background:#f6f6f6;margin:10px 0}
            .verdict.met{border-color:#2ca02c;background:#eef8ee}.verdict.unmet{border-color:#d62728;background:#fbeeee}
            .good{color:#1a7f37}.bad{color:#b42318}.note{color:#666;font-style:italic}
            figure{margin:10px 0;page-break-inside:avoid;break-inside:avoid}
            figure svg{max-width:100%;height:auto;display:block}
            .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(480px,1fr));gap:10px}
            .graphbox{overflow:auto;max-height:1400px;border:1px solid #e2e2e2;padding:4px}
            .graphbox svg{max-width:none}
            figcaption{color:#555;font-size:13px}
            details summary{cursor:pointer;color:#1f5fa8}
            code{font-size:12px;word-break:break-word}
            footer{color:#777;font-size:12px;margin:30px 0 10px}
            @media print{nav{display:none}body{max-width:none;padding:0}.graphbox{max-height:none;overflow:visible}
            .graphbox svg{max-width:100%;height:auto}h2{page-break-after:avoid}}
            """;
}
