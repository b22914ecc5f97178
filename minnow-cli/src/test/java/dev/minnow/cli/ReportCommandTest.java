package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.cli.report.HtmlCheck;
import dev.minnow.cli.report.ReportHtml;
import dev.minnow.cli.report.ReportJson;
import dev.minnow.cli.report.SampleReports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `minnow report REPORT.json --out FILE.html` re-draws a report from its JSON. */
class ReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void redrawsTheSamePageFromTheJson() throws Exception {
        Map<String, Object> report = SampleReports.full();
        Path json = dir.resolve("report.json");
        Files.writeString(json, Json.write(report));
        Path html = dir.resolve("again.html");
        Cli r = Cli.run("report", json.toString(), "--out", html.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.json().contains("\"out\":\"" + html + "\""), r.out());
        String page = Files.readString(html);
        assertNull(HtmlCheck.problem(page));
        // read back through JSON, the numbers give the same page as the map they were written from
        assertEquals(ReportHtml.render(report), page);
    }

    @Test
    void jsonReaderKeepsNumbersAndNesting() throws Exception {
        Path json = dir.resolve("r.json");
        Files.writeString(json, "{\"top1_after\": 0.985, \"size_bytes_before\": 1722000, \"x\": 1.0E-5,"
                + " \"steps\": [{\"kind\": \"prune\", \"settings\": {\"sparsity\": 0.9}}], \"goal\": null}");
        Map<String, Object> m = ReportJson.read(json);
        assertEquals(0.985, ((Number) m.get("top1_after")).doubleValue());
        assertEquals(1_722_000L, ((Number) m.get("size_bytes_before")).longValue());
        assertEquals(1e-5, ((Number) m.get("x")).doubleValue());
        assertTrue(m.containsKey("goal") && m.get("goal") == null);
        assertEquals("prune", ((Map<?, ?>) ((java.util.List<?>) m.get("steps")).get(0)).get("kind"));
    }

    @Test
    void badInputSaysWhatIsWrong() throws Exception {
        Cli missing = Cli.run("report", dir.resolve("nope.json").toString(), "--out", dir.resolve("a.html").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("no such report file"), missing.err());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"a\": [1, 2");
        Cli broken = Cli.run("report", bad.toString(), "--out", dir.resolve("a.html").toString());
        assertEquals(2, broken.exitCode());
        assertTrue(broken.err().contains("is not valid JSON"), broken.err());
        Path list = dir.resolve("list.json");
        Files.writeString(list, "[1, 2]");
        Cli notObject = Cli.run("report", list.toString(), "--out", dir.resolve("a.html").toString());
        assertEquals(2, notObject.exitCode());
        assertTrue(notObject.err().contains("must hold one JSON object"), notObject.err());
        Cli wrongOut = Cli.run("report", list.toString(), "--out", dir.resolve("a.txt").toString());
        assertEquals(2, wrongOut.exitCode());
        assertTrue(wrongOut.err().contains("--out must name an .html file"), wrongOut.err());
        assertTrue(Files.notExists(dir.resolve("a.html")));
    }
}
