package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * --backend ort|minnow on eval and bench, and `minnow convert`, on a LeNet-300-100 trained for two
 * epochs on MNIST (about a minute of training, shared by the tests) and evaluated on the whole
 * MNIST test set (10,000 images).
 */
class BackendCommandsTest {
    private static Path dir;
    private static Path model;
    private static String data;

    @BeforeAll
    static void train() throws Exception {
        dir = Files.createTempDirectory("backend");
        model = dir.resolve("l300.onnx");
        data = Cli.dataDir().toString();
        Cli r = Cli.run("train", "--model", "lenet-300-100", "--dataset", "mnist", "--data-dir", data, "--epochs", "2",
                "--seed", "1", "--out", model.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
    }

    private static double top1(String backend) {
        Cli r = Cli.run("eval", model.toString(), "--dataset", "mnist", "--data-dir", data, "--backend", backend, "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.json().contains("\"backend\":\"" + backend + "\""), r.json());
        assertEquals(10_000, (long) number(r.json(), "samples"));
        return number(r.json(), "top1");
    }

    @Test
    void evalGivesTheSameTop1WithBothBackends() {
        double minnow = top1("minnow");
        double ort = top1("ort");
        assertTrue(minnow > 0.97, "a trained model: " + minnow);
        assertEquals(minnow, ort, "same images, same preprocessing, same argmax");
    }

    @Test
    void dynamicInt8KeepsAccuracyWithinATenthOfAPointAndBothBackendsAgree() {
        Path out = dir.resolve("l300-dyn.onnx");
        double[] after = new double[2];
        String[] backends = {"minnow", "ort"};
        for (int i = 0; i < 2; i++) {
            Cli r = Cli.run("convert", model.toString(), "--to", "dynamic-int8", "--out", out.toString(), "--dataset",
                    "mnist", "--data-dir", data, "--backend", backends[i], "--json");
            assertEquals(0, r.exitCode(), r.err());
            String j = r.json();
            double before = number(j, "top1_before");
            after[i] = number(j, "top1_after");
            assertTrue(before - after[i] <= 0.001, backends[i] + ": " + before + " -> " + after[i]);
            long sizeBefore = (long) number(j, "size_bytes_before");
            long sizeAfter = (long) number(j, "size_bytes_after");
            assertTrue(sizeAfter < sizeBefore / 3.5, "int8 weights: " + sizeBefore + " -> " + sizeAfter);
            assertEquals(3, (long) number(j, "converted"), "the three dense layers");
        }
        assertEquals(after[0], after[1], "Minnow and ONNX Runtime run the same integer model");
    }

    @Test
    void float16AndBfloat16HalveTheWeightsAndKeepTheAccuracy() {
        for (String to : new String[] {"float16", "bfloat16"}) {
            Path out = dir.resolve("l300-" + to + ".onnx");
            Cli r = Cli.run("convert", model.toString(), "--to", to, "--out", out.toString(), "--dataset", "mnist",
                    "--data-dir", data, "--backend", "ort", "--json");
            assertEquals(0, r.exitCode(), r.err());
            String j = r.json();
            assertEquals(number(j, "size_bytes_before") / 2, number(j, "size_bytes_after"), to);
            assertTrue(Math.abs(number(j, "top1_before") - number(j, "top1_after")) <= 0.001, j);
            Cli m = Cli.run("eval", out.toString(), "--dataset", "mnist", "--data-dir", data, "--json");
            assertEquals(0, m.exitCode(), m.err());
            assertEquals(number(j, "top1_after"), number(m.json(), "top1"), 0.0005, to + ": Minnow reads the file too");
        }
    }

    @Test
    void benchWithOnnxRuntimeReportsLatencyMs() {
        Cli r = Cli.run("bench", model.toString(), "--backend", "ort", "--batch", "1", "--threads", "1", "--seconds",
                "0.3", "--warmup-seconds", "0.1", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(number(r.json(), "latency_ms") > 0, r.json());
        assertTrue(r.json().contains("\"backend\":\"ort\""), r.json());
        assertEquals(1, (long) number(r.json(), "threads"));
    }

    @Test
    void badBackendsAndModelsOnnxRuntimeCannotLoadExitTwo() throws Exception {
        Cli unknown = Cli.run("bench", "lenet5", "--backend", "tvm", "--json");
        assertEquals(2, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("unknown backend 'tvm'"), unknown.err());
        Cli mixed = Cli.run("bench", "lenet5", "--backend", "ort", "--compare", "ort");
        assertEquals(2, mixed.exitCode(), mixed.err());
        // a model holding a Minnow-only op: Minnow runs it, ONNX Runtime refuses it with its own reason
        Path fq = dir.resolve("fake-quant.onnx");
        dev.minnow.graph.Graph g = dev.minnow.zoo.Zoo.build("lenet-300-100", 1);
        var e = new dev.minnow.graph.GraphEditor(g);
        String scale = e.addInitializer("fq_scale", dev.minnow.tensor.Tensor.scalar(0.05f));
        e.insertAfter(g.inputs().getFirst().name(), "fq", dev.minnow.graph.OpRegistry.global()
                .create(dev.minnow.graph.OpRegistry.MINNOW_DOMAIN, "FakeQuantize", dev.minnow.graph.Attributes.of()), scale);
        dev.minnow.onnx.Onnx.write(e.commit(), fq);
        Cli ort = Cli.run("bench", fq.toString(), "--backend", "ort", "--seconds", "0.1", "--warmup-seconds", "0");
        assertEquals(2, ort.exitCode(), ort.err());
        assertTrue(ort.err().contains("ONNX Runtime cannot load the model") && ort.err().contains("FakeQuantize"),
                ort.err());
        assertFalse(ort.err().contains("\tat "), "no stack trace: " + ort.err());
        Cli minnow = Cli.run("bench", fq.toString(), "--backend", "minnow", "--seconds", "0.1", "--warmup-seconds", "0",
                "--json");
        assertEquals(0, minnow.exitCode(), minnow.err());
    }
}
