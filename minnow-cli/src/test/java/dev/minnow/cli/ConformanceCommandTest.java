package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.onnx.proto.OnnxProto.GraphProto;
import dev.minnow.onnx.proto.OnnxProto.ModelProto;
import dev.minnow.onnx.proto.OnnxProto.NodeProto;
import dev.minnow.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.minnow.onnx.proto.OnnxProto.TensorProto;
import dev.minnow.onnx.proto.OnnxProto.TensorShapeProto;
import dev.minnow.onnx.proto.OnnxProto.TypeProto;
import dev.minnow.onnx.proto.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `onnx-conformance` exits 1 when a test fails, 0 otherwise, and reports a folder without data as such. */
class ConformanceCommandTest {
    private static ValueInfoProto value(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor
                .newBuilder().setElemType(1).setShape(TensorShapeProto.newBuilder().addDim(
                        TensorShapeProto.Dimension.newBuilder().setDimValue(3))))).build();
    }

    private static TensorProto tensor(String name, float... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1).addDims(v.length);
        for (float x : v) {
            t.addFloatData(x);
        }
        return t.build();
    }

    /** A Relu test folder; dataSet false leaves out test_data_set_0. */
    private static void reluTest(Path root, String name, float[] expected, boolean dataSet) throws IOException {
        Path dir = Files.createDirectories(root.resolve(name));
        GraphProto g = GraphProto.newBuilder().setName(name).addInput(value("x")).addOutput(value("y"))
                .addNode(NodeProto.newBuilder().setName("n").setOpType("Relu").addInput("x").addOutput("y")).build();
        ModelProto m = ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).build();
        Files.write(dir.resolve("model.onnx"), m.toByteArray());
        if (dataSet) {
            Path set = Files.createDirectories(dir.resolve("test_data_set_0"));
            Files.write(set.resolve("input_0.pb"), tensor("x", -1, 0.5f, 2).toByteArray());
            Files.write(set.resolve("output_0.pb"), tensor("y", expected).toByteArray());
        }
    }

    @Test
    void exitCodeSaysWhetherAnyTestFailed(@TempDir Path root) throws IOException {
        Path good = Files.createDirectories(root.resolve("good"));
        reluTest(good, "test_relu", new float[] {0, 0.5f, 2}, true);
        reluTest(good, "test_relu_empty", new float[] {0, 0.5f, 2}, false);
        Cli ok = Cli.run("onnx-conformance", good.toString());
        assertEquals(0, ok.exitCode(), ok.out() + ok.err());
        assertTrue(ok.out().contains("Total: 1 passed, 0 failed (0 known, 0 by the inference executor only), 0 skipped,"
                + " 1 without data"), ok.out());
        assertTrue(ok.out().contains("test_relu_empty: no data"), ok.out());

        Path bad = Files.createDirectories(root.resolve("bad"));
        reluTest(bad, "test_relu", new float[] {0, 0.5f, 2}, true);
        reluTest(bad, "test_relu_wrong", new float[] {0, 0.5f, 2.5f}, true);
        Cli failed = Cli.run("onnx-conformance", bad.toString());
        assertEquals(ConformanceCommand.EXIT_TESTS_FAILED, failed.exitCode(), failed.out() + failed.err());
        assertEquals(1, ConformanceCommand.EXIT_TESTS_FAILED);
        assertTrue(failed.out().contains("Total: 1 passed, 1 failed"), failed.out());
        Cli json = Cli.run("onnx-conformance", bad.toString(), "--json");
        assertEquals(ConformanceCommand.EXIT_TESTS_FAILED, json.exitCode());
        assertTrue(json.json().contains("\"failed\":1"), json.json());

        Cli notAFolder = Cli.run("onnx-conformance", root.resolve("missing").toString());
        assertEquals(Main.EXIT_USER_ERROR, notAFolder.exitCode());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        Cli help = Cli.run("onnx-conformance", "--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("Exit codes:"), help.out());
        assertTrue(help.out().contains("at least one test failed"), help.out());
    }
}
