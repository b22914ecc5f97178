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

    @Test
    void nodeTestsThatPassedBeforeStillPass() throws IOException {
        Path node = BackendTestData.nodeTests();
        assumeTrue(node != null, "ONNX backend test archive not found beside the checkout");
        long start = System.nanoTime();
        Report r = Conformance.run(node);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        assertEquals(r.tests().size(), r.passed() + r.failed() + r.skipped());
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
        Report r = new Report(1, 1, 1, Map.of("Add", new Conformance.OpTotals(1, 1, 0), "Foo", new Conformance.OpTotals(0, 0, 1)),
                List.of(new TestResult("test_add", Status.PASSED, List.of("Add"), null),
                        new TestResult("test_add_bad", Status.FAILED, List.of("Add"), "1 of 3 values \"differ\""),
                        new TestResult("test_foo", Status.SKIPPED, List.of("Foo"), "m uses 1 op that Minnow does not support:")));
        Map<String, Object> m = r.toMap();
        assertEquals(List.of("passed", "failed", "skipped", "ops", "tests"), List.copyOf(m.keySet()));
        assertEquals(Map.of("passed", 1, "failed", 1, "skipped", 0), ((Map<?, ?>) m.get("ops")).get("Add"));
        Map<?, ?> bad = (Map<?, ?>) ((List<?>) m.get("tests")).get(1);
        assertEquals("failed", bad.get("status"));
        assertEquals("1 of 3 values \"differ\"", bad.get("message"));
        String md = SupportDoc.markdown(r);
        assertTrue(md.contains("| 3 | 1 | 1 | 1 |"), md);
        assertTrue(md.contains("| Add | 1 | 1 | 0 |"), md);
        assertTrue(md.contains("`test_add_bad`"), md);
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
    void runnerClassifiesPassedFailedAndSkipped(@org.junit.jupiter.api.io.TempDir Path root) throws IOException {
        assumeTrue(dev.minnow.graph.OpRegistry.global().supports("Relu"), "Relu not on main yet");
        Tensor x = Tensor.of(Shape.of(3), -1, 0.5f, 2);
        writeTest(root, "test_relu_ok", "Relu", x, Tensor.of(Shape.of(3), 0, 0.5f, 2));
        writeTest(root, "test_relu_wrong", "Relu", x, Tensor.of(Shape.of(3), 0, 0.5f, 2.1f));
        writeTest(root, "test_nope", "NoSuchOp", x, x);
        Report r = Conformance.run(root);
        assertEquals(1, r.passed());
        assertEquals(1, r.failed());
        assertEquals(1, r.skipped());
        assertEquals(new Conformance.OpTotals(1, 1, 0), r.ops().get("Relu"));
        TestResult wrong = r.tests().stream().filter(t -> t.name().equals("test_relu_wrong")).findFirst().orElseThrow();
        assertTrue(wrong.message().contains("1 of 3 values differ"), wrong.message());
        TestResult nope = r.tests().stream().filter(t -> t.name().equals("test_nope")).findFirst().orElseThrow();
        assertTrue(nope.message().contains("NoSuchOp"), nope.message());
    }
}
