package dev.minnow.cli;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.onnx.Conformance;
import dev.minnow.onnx.SupportDoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "onnx-conformance", mixinStandardHelpOptions = true,
        description = {"Run the ONNX backend test suite (a folder of test_* directories, each with model.onnx and "
                + "test_data_set_N/) and report, per op, the tests passed, failed and skipped (unsupported op or type)."},
        footer = {"", "Examples:", "  tar xzf ../shared/data/onnx-backend-tests.tgz -C /tmp",
                "  minnow onnx-conformance /tmp/onnx/backend/test/data/node",
                "  minnow onnx-conformance /tmp/onnx/backend/test/data/node --failures --doc docs/ONNX_SUPPORT.md"})
final class ConformanceCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "DIR", description = "Folder of ONNX backend tests.")
    Path dir;

    @Option(names = "--failures", description = "List every failed test with its message.")
    boolean failures;

    @Option(names = "--doc", paramLabel = "FILE", description = "Write the support table (Markdown) here.")
    Path doc;

    @Override
    public Integer call() {
        common.apply();
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("not a folder: " + dir + " (extract onnx-backend-tests.tgz and pass .../data/node)");
        }
        Conformance.Report r = Conformance.run(dir);
        if (doc != null) {
            SupportDoc.write(r, doc);
        }
        if (common.json) {
            System.out.println(Json.write(r.toMap()));
            return 0;
        }
        Table t = new Table("op", "passed", "failed", "skipped");
        for (Map.Entry<String, Conformance.OpTotals> e : r.ops().entrySet()) {
            t.row(e.getKey(), e.getValue().passed(), e.getValue().failed(), e.getValue().skipped());
        }
        StringBuilder b = new StringBuilder(t.render());
        b.append(String.format("%nTotal: %d passed, %d failed, %d skipped%n", r.passed(), r.failed(), r.skipped()));
        if (failures) {
            for (Conformance.TestResult tr : r.tests()) {
                if (tr.status() == Conformance.Status.FAILED) {
                    b.append(tr.name()).append(": ").append(tr.message()).append('\n');
                }
            }
        }
        System.out.print(b);
        return 0;
    }
}
