package dev.minnow.cli;

import dev.minnow.cli.report.ReportHtml;
import dev.minnow.cli.report.ReportJson;
import dev.minnow.errors.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Draw the HTML report of a compression run again from its report.json.",
                "`minnow compress` writes report.json beside report.html; the page is self-contained:",
                "numbers, charts and the model graph, no network needed."},
        footer = {"", "Example:", "  minnow report runs/lenet/report.json --out lenet.html", "",
                "The page needs no network; open it in any browser or print it (docs/COMPRESS.md, Report)."})
final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "REPORT.json", description = "A report.json written by `minnow compress`.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the page (.html).")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase();
        if (!name.endsWith(".html") && !name.endsWith(".htm")) {
            throw new InvalidInputException("--out must name an .html file, got " + out);
        }
        Map<String, Object> report = ReportJson.read(in);
        if (report.get("energy_pj_before") == null && report.get("energy_error") == null) {
            // a report from before the energy column: estimate it from the step files beside it
            report.putIfAbsent("run_dir", String.valueOf(in.toAbsolutePath().getParent()));
            CompressCommand.addEnergy(report);
        }
        ReportHtml.write(report, out);
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("in", in.toString());
        j.put("out", out.toString());
        common.emit(j, String.format("%s -> %s (open it in a browser: file://%s)%n", in, out,
                out.toAbsolutePath().normalize()));
        return 0;
    }
}
