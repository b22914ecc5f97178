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
                + "test_data_set_N/) through the reference interpreter and the inference executor that eval and bench "
                + "use, and report, per op, the tests passed, failed (either engine differs from the expected outputs; "
                + "known failures included and named), skipped (unsupported op or type) and without data (no "
                + "test_data_set_N: nothing compared)."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every test passed, was skipped or had no data",
                "1:at least one test failed (known failures included)",
                "2:user error (not a folder of ONNX tests, bad option)"},
        footer = {"", "Examples:", "  tar xzf ../shared/data/onnx-backend-tests.tgz -C /tmp",
                "  minnow onnx-conformance /tmp/onnx/backend/test/data/node",
                "  minnow onnx-conformance /tmp/onnx/backend/test/data/node --failures --doc docs/ONNX_SUPPORT.md"})
final class ConformanceCommand implements Callable<Integer> {
    /** Some test failed: distinct from user errors (2), so scripts can tell "ran, found failures" apart. */
    static final int EXIT_TESTS_FAILED = 1;

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
        int exit = r.failed() > 0 ? EXIT_TESTS_FAILED : 0;
        if (common.json) {
            System.out.println(Json.write(r.toMap()));
            return exit;
        }
        Table t = new Table("op", "passed", "failed", "skipped", "no data");
        for (Map.Entry<String, Conformance.OpTotals> e : r.ops().entrySet()) {
            t.row(e.getKey(), e.getValue().passed(), e.getValue().failed(), e.getValue().skipped(), e.getValue().noData());
        }
        StringBuilder b = new StringBuilder(t.render());
        b.append(String.format("%nTotal: %d passed, %d failed (%d known, %d by the inference executor only), %d skipped,"
                + " %d without data%n", r.passed(), r.failed(), r.knownFailures(), r.executorOnlyFailures(), r.skipped(),
                r.noData()));
        for (Conformance.TestResult tr : r.tests()) {
            if (tr.status() == Conformance.Status.FAILED && (failures || tr.knownFailure() != null)) {
                b.append(tr.name()).append(": ");
                if (tr.knownFailure() != null) {
                    b.append("known failure (").append(tr.knownFailure()).append("): ");
                }
                b.append(tr.message()).append('\n');
            }
        }
        for (Conformance.TestResult tr : r.tests()) {
            if (tr.status() == Conformance.Status.NO_DATA) {
                b.append(tr.name()).append(": no data (").append(tr.message()).append(")\n");
            }
        }
        System.out.print(b);
        return exit;
    }
}
