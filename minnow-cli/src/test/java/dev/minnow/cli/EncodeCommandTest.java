package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `minnow encode` and `minnow decode` as a user calls them, on a magnitude-pruned LeNet-300-100. */
class EncodeCommandTest {

    @Test
    void encodeThenDecodeGivesTheSameWeightsAndTheJsonSaysHowMuchSmaller() throws Exception {
        Path dir = Files.createTempDirectory("encode");
        Graph pruned = MagnitudePruning.global(0.92).prune(Zoo.build("lenet-300-100", 1)).graph();
        Path onnx = dir.resolve("pruned.onnx");
        Onnx.write(pruned, onnx);
        Path mnz = dir.resolve("m.mnz");
        Cli r = Cli.run("encode", onnx.toString(), "--out", mnz.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertEquals(4L * 266_610, (long) number(j, "size_bytes_before"));
        long after = (long) number(j, "size_bytes_after");
        assertEquals(Files.size(mnz), after);
        assertEquals(4.0 * 266_610 / after, number(j, "ratio"), 1e-9);
        assertTrue(after * 7 < 4L * 266_610, j);
        assertTrue(j.contains("\"layers\":[{\"name\":\"fc1.weight\""), j);

        Path back = dir.resolve("back.onnx");
        Cli d = Cli.run("decode", mnz.toString(), "--out", back.toString(), "--json");
        assertEquals(0, d.exitCode(), d.err());
        Graph g = Onnx.read(back);
        Graph want = Onnx.read(onnx);
        assertEquals(want.initializers().keySet(), g.initializers().keySet());
        want.initializers().forEach((k, t) -> assertArrayEquals(t.floats(), g.initializers().get(k).floats(), k));

        // info and eval take the .mnz directly, with the numbers of the model it encodes
        Cli infoOnnx = Cli.run("info", onnx.toString(), "--json");
        Cli infoMnz = Cli.run("info", mnz.toString(), "--json");
        assertEquals(0, infoMnz.exitCode(), infoMnz.err());
        assertEquals(number(infoOnnx.json(), "macs"), number(infoMnz.json(), "macs"));
        String data = Cli.dataDir().toString();
        Cli evalOnnx = Cli.run("eval", onnx.toString(), "--dataset", "mnist", "--data-dir", data, "--json");
        Cli evalMnz = Cli.run("eval", mnz.toString(), "--dataset", "mnist", "--data-dir", data, "--json");
        assertEquals(0, evalMnz.exitCode(), evalMnz.err());
        assertEquals(number(evalOnnx.json(), "top1"), number(evalMnz.json(), "top1"));
    }

    @Test
    void aCorruptFileAndAWrongExtensionAreUserErrorsWithNothingWritten() throws Exception {
        Path dir = Files.createTempDirectory("encode");
        Path mnz = dir.resolve("m.mnz");
        assertEquals(0, Cli.run("encode", "lenet-300-100", "--out", mnz.toString()).exitCode());
        byte[] b = Files.readAllBytes(mnz);
        b[b.length / 2] ^= 0x40;
        Files.write(mnz, b);
        Path out = dir.resolve("x.onnx");
        Cli d = Cli.run("decode", mnz.toString(), "--out", out.toString());
        assertEquals(Main.EXIT_USER_ERROR, d.exitCode());
        assertTrue(d.err().contains("CRC32"), d.err());
        assertFalse(Files.exists(out));
        Cli e = Cli.run("encode", "lenet-300-100", "--out", dir.resolve("m.onnx").toString());
        assertEquals(Main.EXIT_USER_ERROR, e.exitCode());
        assertTrue(e.err().contains(".mnz"), e.err());
    }
}
