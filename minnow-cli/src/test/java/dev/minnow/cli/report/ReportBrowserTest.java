package dev.minnow.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens reports from disk in headless Chromium: the charts and the graph must be in the DOM with a
 * size after layout, the console must stay silent, and a screenshot must show a full page. Fails
 * (does not skip) when Chromium is missing, unless MINNOW_NO_BROWSER=1.
 */
class ReportBrowserTest {
    @TempDir
    Path dir;

    HeadlessChromium chromium;

    @BeforeEach
    void findChromium() {
        Assumptions.assumeFalse("1".equals(System.getenv("MINNOW_NO_BROWSER")),
                "MINNOW_NO_BROWSER=1: browser tests skipped on request");
        chromium = HeadlessChromium.find(dir);
        if (chromium == null) {
            fail(HeadlessChromium.INSTALL);
        }
    }

    @Test
    void fullReportRendersItsChartsAndGraphWithoutConsoleErrors() throws Exception {
        Path html = dir.resolve("report.html");
        ReportHtml.write(SampleReports.full(), html);
        HeadlessChromium.Run run = chromium.dumpDom(html);
        String dom = run.stdout();
        for (String id : new String[] {"chart-size", "chart-latency", "chart-steps-cost", "chart-steps-top1",
            "chart-weights", "chart-sensitivity", "graph-legend", "graph-drawing"}) {
            assertTrue(dom.contains("<svg") && dom.contains("id=\"" + id + "\""), "DOM lacks the drawing " + id);
        }
        int svgs = count(dom, "<svg");
        assertEquals(8, svgs, "svg elements in the rendered DOM");
        // set by the page's load handler: how many drawings have a non-empty box after layout
        assertEquals(String.valueOf(svgs), attribute(dom, "data-rendered-svgs"), "drawings laid out with a size");
        assertEquals(null, attribute(dom, "data-errors"), "the page counted errors (scripts or blocked loads)");
        assertEquals(java.util.List.of(), run.consoleLines(), "console messages");
        Path png = dir.resolve("report.png");
        chromium.screenshot(html, png, 1280, 2000);
        assertTrue(Files.exists(png), "no screenshot written");
        byte[] bytes = Files.readAllBytes(png);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1]);
        assertTrue(bytes.length > 20_000, "screenshot is " + bytes.length + " bytes, expected a drawn page > 20 kB");
        String keep = System.getenv("MINNOW_REPORT_SCREENSHOT");
        if (keep != null) {
            Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void minimalReportStillRendersItsTradeoffChart() throws Exception {
        Path html = dir.resolve("minimal.html");
        ReportHtml.write(SampleReports.minimal(), html);
        HeadlessChromium.Run run = chromium.dumpDom(html);
        assertTrue(run.stdout().contains("id=\"chart-size\""), "the size trade-off of the before/after points");
        assertEquals(String.valueOf(count(run.stdout(), "<svg")), attribute(run.stdout(), "data-rendered-svgs"));
        assertEquals(null, attribute(run.stdout(), "data-errors"));
        assertEquals(java.util.List.of(), run.consoleLines());
    }

    /** The checks above must be able to fail: a page with a script error and a blocked load trips them. */
    @Test
    void theConsoleCheckCatchesAnErrorPage() throws Exception {
        String page = ReportHtml.render(SampleReports.minimal()).replace("</body>",
                "<img src=\"https://example.invalid/x.png\"><script>noSuchFunction();</script></body>");
        Path html = dir.resolve("broken.html");
        Files.writeString(html, page);
        HeadlessChromium.Run run = chromium.dumpDom(html);
        assertNotNull(attribute(run.stdout(), "data-errors"), "the page's error counter");
        assertFalse(run.consoleLines().isEmpty(), "console lines in: " + run.stderr());
        assertTrue(run.consoleLines().stream().anyMatch(l -> l.contains("noSuchFunction")), run.stderr());
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String attribute(String dom, String name) {
        Matcher m = Pattern.compile("<html[^>]*\\s" + name + "=\"([^\"]*)\"").matcher(dom);
        return m.find() ? m.group(1) : null;
    }
}
