package dev.minnow.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.minnow.onnx.Conformance.Report;
import dev.minnow.onnx.Conformance.Status;
import dev.minnow.onnx.Conformance.TestResult;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ConformanceTest {
    /** Test names that passed on main when the baseline was last refreshed (see the file's header). */
    static Set<String> baseline() throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance-baseline.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    names.add(line.trim());
                }
            }
        }
        return names;
    }

    /**
     * Tests the reference runner passes and the inference executor may fail, with the reason. Empty:
     * the executor agrees on every one. An entry that starts passing fails the test (stale list).
     */
    private static final Map<String, String> EXECUTOR_EXCEPTIONS = Map.of();

    @Test
    void nodeTestsThatPassedBeforeStillPass() throws IOException {
        Path node = BackendTestData.nodeTests();
        assumeTrue(node != null, "ONNX backend test archive not found beside the checkout");
        long start = System.nanoTime();
        Report r = Conformance.run(node);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(r.tests().size(), r.passed() + r.failed() + r.skipped() + r.noData());
        assertTrue(r.tests().size() > 1000, "expected the full node suite, got " + r.tests().size());
        Map<String, TestResult> byName = new HashMap<>();
        r.tests().forEach(t -> byName.put(t.name(), t));
        List<String> regressions = new ArrayList<>();
        for (String name : baseline()) {
            TestResult t = byName.get(name);
            if (t == null || t.status() != Status.PASSED) {
                regressions.add(name + ": " + (t == null ? "missing" : t.status() + " " + t.message()));
            }
        }
        String outDir = System.getProperty("minnow.conformance.out");
        if (outDir != null) {
            Files.writeString(Path.of(outDir, "conformance-passed.txt"), String.join("\n", r.passedNames()) + "\n");
            SupportDoc.write(r, Path.of(outDir, "ONNX_SUPPORT.md"));
        }
        assertTrue(regressions.isEmpty(), regressions.size() + " node tests that passed before now fail:\n"
                + String.join("\n", regressions));
        assertEquals(0, r.noData(), "every node test folder has data sets");
        List<String> executorDisagrees = new ArrayList<>();
        for (TestResult t : r.tests()) {
            boolean excepted = EXECUTOR_EXCEPTIONS.containsKey(t.name());
            if (t.reference() == Status.PASSED && (t.executor() != Status.PASSED) != excepted) {
                executorDisagrees.add(t.name() + ": " + (excepted ? "listed in EXECUTOR_EXCEPTIONS but now passes" : t.message()));
            }
        }
        assertTrue(executorDisagrees.isEmpty(), "the inference executor disagrees with the reference runner:\n"
                + String.join("\n", executorDisagrees));
        List<TestResult> known = r.tests().stream().filter(t -> t.knownFailure() != null).toList();
        assertTrue(!known.isEmpty(), "no test matches Conformance.KNOWN_FAILURES: the list is stale");
        for (TestResult t : known) {
            assertEquals(Status.FAILED, t.status(), t.name() + " is a listed known failure but now " + t.status());
        }
        assertEquals(known.size(), r.knownFailures());
        assertTrue(seconds < 120, "conformance run took " + seconds + " s");
    }

    @Test
    void comparisonUsesOnnxTolerance() {
        Tensor e = Tensor.of(Shape.of(3), 1000f, 0f, Float.NaN);
        assertNull(Conformance.compare(e, Tensor.of(Shape.of(3), 1000.9f, 0f, Float.NaN)));
        assertTrue(Conformance.compare(e, Tensor.of(Shape.of(3), 1001.1f, 0f, Float.NaN)).startsWith("1 of 3"));
        assertTrue(Conformance.compare(e, Tensor.of(Shape.of(3), 1000f, 1e-6f, Float.NaN)).startsWith("1 of 3"));
        assertTrue(Conformance.compare(e, Tensor.of(Shape.of(3), 1000f, 0f, 0f)).startsWith("1 of 3"));
        assertTrue(Conformance.compare(e, Tensor.of(Shape.of(1, 3), 1000f, 0f, Float.NaN)).startsWith("shape"));
        assertTrue(Conformance.compare(e, Tensor.zeros(DType.FLOAT64, Shape.of(3))).startsWith("element type"));
        Tensor inf = Tensor.of(Shape.of(1), Float.POSITIVE_INFINITY);
        assertNull(Conformance.compare(inf, inf.copy()));
        assertTrue(Conformance.compare(inf, Tensor.of(Shape.of(1), Float.NEGATIVE_INFINITY)) != null);
    }

    @Test
    void reportMapAndDocCarryTheNumbers() {
        Report r = Report.of(List.of(new TestResult("test_add", Status.PASSED, Status.PASSED, List.of("Add"), null, null),
                new TestResult("test_add_bad", Status.FAILED, Status.PASSED, List.of("Add"), "1 of 3 values \"differ\"", null),
                new TestResult("test_add_exec", Status.PASSED, Status.FAILED, List.of("Add"), "inference executor: boom", null),
                new TestResult("test_add_known", Status.FAILED, Status.FAILED, List.of("Add"), "off", "bad data"),
                new TestResult("test_add_empty", Status.NO_DATA, List.of("Add"), "no test_data_set_N folder"),
                new TestResult("test_foo", Status.SKIPPED, List.of("Foo"), "m uses 1 op that Minnow does not support:")));
        assertEquals(List.of(1, 3, 1, 1, 1, 1), List.of(r.passed(), r.failed(), r.skipped(), r.noData(), r.knownFailures(),
                r.executorOnlyFailures()));
        Map<String, Object> m = r.toMap();
        assertEquals(List.of("passed", "failed", "skipped", "no_data", "known_failures", "executor_only_failures", "ops", "tests"),
                List.copyOf(m.keySet()));
        assertEquals(Map.of("passed", 1, "failed", 3, "skipped", 0, "no_data", 1), ((Map<?, ?>) m.get("ops")).get("Add"));
        Map<?, ?> bad = (Map<?, ?>) ((List<?>) m.get("tests")).get(1);
        assertEquals("failed", bad.get("status"));
        assertEquals("1 of 3 values \"differ\"", bad.get("message"));
        Map<?, ?> exec = (Map<?, ?>) ((List<?>) m.get("tests")).get(2);
        assertEquals(List.of("failed", "passed", "failed"), List.of(exec.get("status"), exec.get("reference"), exec.get("executor")));
        assertEquals("bad data", ((Map<?, ?>) ((List<?>) m.get("tests")).get(3)).get("known_failure"));
        String md = SupportDoc.markdown(r);
        assertTrue(md.contains("| 6 | 1 | 3 | 1 | 1 | 1 |"), md);
        assertTrue(md.contains("| Add | 1 | 3 | 0 | 1 |"), md);
        assertTrue(md.contains("`test_add_bad`"), md);
        assertTrue(md.contains("`test_add_known`: known failure (bad data): off"), md);
        assertTrue(md.contains("## Tests without data\n\n`test_add_empty`"), md);
    }

    private static void writeTest(Path root, String name, String op, Tensor in, Tensor expected) throws IOException {
        Path d = Files.createDirectories(root.resolve(name).resolve("test_data_set_0"));
        dev.minnow.onnx.proto.OnnxProto.GraphProto.Builder g = dev.minnow.onnx.proto.OnnxProto.GraphProto.newBuilder()
                .addInput(Models.value("x", 1, 3)).addNode(Models.node("n", op, List.of("x"), List.of("y")))
                .addOutput(Models.value("y", 1, 3));
        Files.write(root.resolve(name).resolve("model.onnx"), Models.model(13, g).toByteArray());
        Files.write(d.resolve("input_0.pb"), TensorCodec.encode("x", in).toByteArray());
        Files.write(d.resolve("output_0.pb"), TensorCodec.encode("y", expected).toByteArray());
    }

    @Test
    void runnerClassifiesPassedFailedSkippedAndNoData(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
        assumeTrue(dev.minnow.graph.OpRegistry.global().supports("Relu"), "Relu not on main yet");
        Tensor x = Tensor.of(Shape.of(3), -1, 0.5f, 2);
        writeTest(root, "test_relu_ok", "Relu", x, Tensor.of(Shape.of(3), 0, 0.5f, 2));
        writeTest(root, "test_relu_wrong", "Relu", x, Tensor.of(Shape.of(3), 0, 0.5f, 2.1f));
        writeTest(root, "test_nope", "NoSuchOp", x, x);
        // a listed known failure still runs and counts as failed
        writeTest(root, "test_dft_inverse_like", "Relu", x, Tensor.of(Shape.of(3), 1, 0.5f, 2));
        // a model without data sets is not a pass
        writeTest(root, "test_relu_nodata", "Relu", x, x);
        deleteTree(root.resolve("test_relu_nodata").resolve("test_data_set_0"));
        Report r = Conformance.run(root);
        assertEquals(List.of(1, 2, 1, 1, 1), List.of(r.passed(), r.failed(), r.skipped(), r.noData(), r.knownFailures()));
        assertEquals(new Conformance.OpTotals(1, 2, 0, 1), r.ops().get("Relu"));
        TestResult ok = result(r, "test_relu_ok");
        assertEquals(List.of(Status.PASSED, Status.PASSED), java.util.Arrays.asList(ok.reference(), ok.executor()));
        TestResult wrong = result(r, "test_relu_wrong");
        assertEquals(List.of(Status.FAILED, Status.FAILED), java.util.Arrays.asList(wrong.reference(), wrong.executor()));
        assertTrue(wrong.message().contains("1 of 3 values differ"), wrong.message());
        assertTrue(wrong.message().contains("inference executor: test_data_set_0 output 'y': 1 of 3 values differ"), wrong.message());
        TestResult nope = result(r, "test_nope");
        assertTrue(nope.message().contains("NoSuchOp"), nope.message());
        TestResult known = result(r, "test_dft_inverse_like");
        assertEquals(Status.FAILED, known.status());
        assertEquals(Conformance.KNOWN_FAILURES.get("test_dft_inverse"), known.knownFailure());
        assertEquals(Status.NO_DATA, result(r, "test_relu_nodata").status());
    }

    private static TestResult result(Report r, String name) {
        return r.tests().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static void deleteTree(Path p) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
