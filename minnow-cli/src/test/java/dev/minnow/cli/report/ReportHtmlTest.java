package dev.minnow.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportHtmlTest {
    private static final String NASTY_ESCAPED = "conv&lt;1&gt;&amp;&quot;x&quot;";

    @TempDir
    Path dir;

    @Test
    void fullReportHasEverySectionAndIsWellFormed() {
        String html = ReportHtml.render(SampleReports.full());
        assertNull(HtmlCheck.problem(html));
        for (String id : List.of("summary", "steps", "tradeoff", "per-step", "layers", "weights", "sensitivity",
                "graph", "details")) {
            assertTrue(html.contains("<section id=\"" + id + "\">"), "section " + id);
        }
        for (String id : List.of("chart-size", "chart-latency", "chart-steps-cost", "chart-steps-top1",
                "chart-weights", "chart-sensitivity", "graph-legend", "graph-drawing")) {
            assertTrue(hasSvg(html, id), "drawing " + id);
        }
        assertEquals(count(html, "<svg"), count(html, "</svg>"));
        assertTrue(html.contains("42.0x smaller"), "headline ratio 1,722,000 / 41,000");
        assertTrue(html.contains("Goal met."), "goal verdict");
        assertTrue(html.contains("-0.17 points"), "accuracy change 98.95 - 99.12");
        assertTrue(html.contains("7.00x less"), "energy 9.1 / 1.3 µJ");
        assertTrue(html.contains("<th>seed</th><td>42</td>"), "unknown top-level keys are listed as run details");
        assertFalse(html.contains("Not in this report"), "nothing is missing from the full report");
    }

    @Test
    void namesFromTheModelAreEscapedEverywhere() {
        String html = ReportHtml.render(SampleReports.full());
        assertFalse(html.contains(SampleReports.NASTY), "a raw name with < & \" reached the page");
        assertFalse(html.contains("lenet5 <test>"), "raw model name");
        assertTrue(html.contains("lenet5 &lt;test&gt; &amp; &quot;friends&quot;"), "escaped model name");
        // the layer table, the step settings, the graph drawing and the chart legends all show the name
        assertTrue(count(html, NASTY_ESCAPED) >= 4, "escaped layer name occurrences: " + count(html, NASTY_ESCAPED));
    }

    @Test
    void pageNeedsNoNetwork() {
        String html = ReportHtml.render(SampleReports.full());
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        Matcher m = Pattern.compile("(?:src|href)\\s*=\\s*[\"']([^\"']*)[\"']").matcher(html);
        while (m.find()) {
            String target = m.group(1);
            assertTrue(target.startsWith("#") || target.startsWith("data:"), "external reference " + target);
        }
        assertFalse(Pattern.compile("url\\((?!#)").matcher(html).find(), "CSS or SVG url() to a non-local target");
        assertFalse(html.contains("@import"));
    }

    @Test
    void graphDrawsEveryNodeAndOnlyEdgesBetweenKnownNodes() {
        String html = ReportHtml.render(SampleReports.full());
        String graph = html.substring(html.indexOf("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"graph-drawing\""));
        graph = graph.substring(0, graph.indexOf("</svg>"));
        @SuppressWarnings("unchecked")
        Map<String, Object> g = (Map<String, Object>) SampleReports.full().get("graph");
        int nodes = ((List<?>) g.get("nodes")).size();
        int edges = ((List<?>) g.get("edges")).size();
        assertEquals(nodes, count(graph, "<g class=\"node\">"));
        assertEquals(edges - 1, count(graph, "<polyline"), "the edge to no-such-node is left out");
        assertTrue(graph.contains(">" + NASTY_ESCAPED + "<"), "escaped name as the box label");
        // fc3 has compression 1.0 in the sample: the darkest colour, white label
        assertTrue(graph.contains("fill=\"" + GraphDrawing.colour(1.0) + "\""));
        assertTrue(graph.contains("fill=\"#eeeeee\""), "ops without weights are grey");
        assertEquals("#f7fbff", GraphDrawing.colour(0));
        assertEquals("#08306b", GraphDrawing.colour(1));
        assertEquals(GraphDrawing.colour(1), GraphDrawing.colour(7), "clamped");
    }

    @Test
    void minimalReportDegradesAndSaysWhatIsMissing() {
        String html = ReportHtml.render(SampleReports.minimal());
        assertNull(HtmlCheck.problem(html));
        assertTrue(html.contains("4.0x smaller"));
        assertTrue(html.contains("No goal was set"));
        assertTrue(html.contains("No steps were recorded."));
        assertTrue(html.contains("No sensitivity analysis in this run"));
        assertTrue(html.contains("The model graph was not recorded."));
        assertTrue(html.contains("No weight samples were recorded."));
        assertTrue(html.contains("No per-layer numbers were recorded."));
        assertTrue(html.contains("Not in this report: "), "the missing parts are listed");
        assertTrue(hasSvg(html, "chart-size"), "before and after still make a size trade-off");
        assertFalse(hasSvg(html, "chart-latency"), "no latency recorded, no latency chart");
        assertFalse(hasSvg(html, "graph-drawing"));
        assertEquals(1, count(html, "<svg"));
    }

    @Test
    void emptyAndOddlyTypedReportsStillRender() {
        String empty = ReportHtml.render(Map.of());
        assertNull(HtmlCheck.problem(empty));
        assertEquals(0, count(empty, "<svg"));
        assertTrue(empty.contains("<td>–</td>"), "missing numbers show as a dash");
        Map<String, Object> odd = new LinkedHashMap<>();
        odd.put("top1_before", "high");
        odd.put("size_bytes_before", Double.NaN);
        odd.put("steps", List.of("not a map", Map.of("kind", 3)));
        odd.put("graph", Map.of("nodes", List.of(Map.of("name", "a")), "edges", List.of(List.of("a"))));
        odd.put("sensitivity", Map.of("x", List.of(List.of(0.5))));
        odd.put("goal", Map.of("max_accuracy_drop", 0.01));
        odd.put("goal_met", false);
        String html = ReportHtml.render(odd);
        assertNull(HtmlCheck.problem(html));
        assertTrue(html.contains("Goal not met."), "an unmet goal is said in words");
        assertTrue(html.contains("The best model found was saved anyway"));
        assertTrue(hasSvg(html, "graph-drawing"), "a one-node graph is still drawn");
    }

    /** minnow compress writes record 0 (the original) among the steps, and its own key names. */
    @Test
    void runnerShapedStepsAreRead() {
        Map<String, Object> r = new LinkedHashMap<>(SampleReports.minimal());
        r.put("steps", List.of(
                Map.of("index", 0, "kind", "base", "top1", 0.9, "size_bytes", 1000, "nonzero_params", 250,
                        "details", Map.of(), "file", "base.onnx"),
                Map.of("index", 1, "kind", "prune", "top1", 0.89, "size_bytes", 250, "nonzero_params", 25,
                        "details", Map.of("kept", "10%"), "file", "step1.onnx")));
        r.put("layers", List.of(Map.of("name", "fc", "op", "Gemm")));
        r.put("graph", Map.of("nodes", List.of(Map.of("name", "fc", "op", "Gemm", "compression", 0.9),
                Map.of("name", "relu", "op", "Relu", "compression", 0.0)), "edges", List.of(List.of("fc", "relu"))));
        String html = ReportHtml.render(r);
        assertNull(HtmlCheck.problem(html));
        assertFalse(html.contains("<b>base</b>"), "record 0 is the original row, not a step");
        assertTrue(html.contains("<b>prune</b>"));
        assertTrue(html.contains("wrote <code>step1.onnx</code>"));
        assertTrue(html.contains("<summary>record</summary>") && html.contains("<th>kept</th><td><code>10%</code>"));
        assertTrue(html.contains("<td>25</td>"), "nonzero_params read as params");
        assertTrue(html.contains("<title>relu (Relu): no weights</title>"), "an op outside the layer table is grey");
        assertTrue(html.contains("<title>fc (Gemm): 90.0% compressed</title>"));
    }

    @Test
    void htmlCheckFindsTheProblemsItLooksFor() {
        assertNull(HtmlCheck.problem("<p>a &amp; b</p><svg><g></g></svg>"));
        assertTrue(HtmlCheck.problem("<svg><g></svg>").contains("closes"));
        assertTrue(HtmlCheck.problem("<div><svg></svg>").contains("not closed"));
        assertTrue(HtmlCheck.problem("<p>a & b</p>").contains("unescaped '&'"));
        assertTrue(HtmlCheck.problem("<p>a <& b</p>").contains("'<'"));
        assertTrue(HtmlCheck.problem("<p title=\"a&b\">x</p>").contains("attribute"));
    }

    @Test
    void writeIsAtomicAndUtf8() throws Exception {
        Path html = dir.resolve("r.html");
        ReportHtml.write(SampleReports.full(), html);
        String text = Files.readString(html);
        assertTrue(text.startsWith("<!DOCTYPE html>"));
        assertTrue(text.contains("9.10 µJ"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(html), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void formatsPickReadableUnits() {
        assertEquals("1.72 MB", Fmt.bytes(1_722_000.0));
        assertEquals("41.0 kB", Fmt.bytes(41_000.0));
        assertEquals("512 B", Fmt.bytes(512.0));
        assertEquals("2.30 M", Fmt.count(2_300_000.0));
        assertEquals("1.30 µJ", Fmt.energyPj(1.3e6));
        assertEquals("0.190 ms", Fmt.ms(0.19));
        assertEquals("2.00x slower", Fmt.ratio(1.0, 2.0, "faster", "slower"));
        assertEquals("–", Fmt.ratio(1.0, 0.0, "faster", "slower"));
        assertEquals("0.9", Fmt.number(0.9));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("sparsity", 0.9);
        settings.put("layers", List.of("a", "b"));
        settings.put("per_layer", Map.of("fc1", 0.25));
        assertEquals("sparsity=0.9; layers=[a, b]; per_layer={fc1=0.25}", Fmt.compact(settings));
    }

    /** An svg element with this id (JFreeSVG quotes attributes with ', the graph drawing with "). */
    static boolean hasSvg(String html, String id) {
        return Pattern.compile("<svg[^>]*\\sid=[\"']" + Pattern.quote(id) + "[\"']").matcher(html).find();
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
