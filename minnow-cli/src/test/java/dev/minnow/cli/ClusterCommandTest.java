package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.cluster.ClusterRun;
import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `minnow cluster` then `minnow encode`, as the Deep Compression pipeline calls them. */
class ClusterCommandTest {
    @Test
    void clusteredLayersHoldAtMostTwoToTheBitsValuesAndEncodeAsCodebookWithHuffman() throws Exception {
        Path dir = Files.createTempDirectory("cluster");
        Graph pruned = MagnitudePruning.global(0.9).prune(Zoo.build("lenet-300-100", 1)).graph();
        Path onnx = dir.resolve("pruned.onnx");
        Onnx.write(pruned, onnx);
        Path out = dir.resolve("c.onnx");
        Cli r = Cli.run("cluster", onnx.toString(), "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--bits-fc", "4", "--init", "density", "--finetune-epochs", "0", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        for (String key : new String[] {"top1_before", "top1_after", "layers", "out"}) {
            assertTrue(j.contains("\"" + key + "\":"), key + " in " + j);
        }
        assertTrue(number(j, "top1_after") >= 0 && number(j, "top1_after") <= 1, j);
        Matcher m = Pattern.compile("\"bits\":(\\d+),\"clusters\":(\\d+),\"distinct_values\":(\\d+)").matcher(j);
        int layers = 0;
        while (m.find()) {
            layers++;
            assertEquals(4, Integer.parseInt(m.group(1)));
            assertTrue(Integer.parseInt(m.group(3)) <= 16 && Integer.parseInt(m.group(3)) > 1, m.group());
        }
        assertEquals(3, layers, j);
        Graph c = Onnx.read(out);
        for (String w : new String[] {"fc1.weight", "fc2.weight", "fc3.weight"}) {
            assertTrue(ClusterRun.distinctNonZeros(c.initializers().get(w)) <= 16, w);
            float[] a = c.initializers().get(w).floats();
            float[] p = pruned.initializers().get(w).floats();
            for (int i = 0; i < a.length; i++) {
                assertEquals(p[i] == 0, a[i] == 0, w + "[" + i + "]");
            }
        }

        Cli e = Cli.run("encode", out.toString(), "--out", dir.resolve("c.mnz").toString(), "--json");
        assertEquals(0, e.exitCode(), e.err());
        String ej = e.json();
        for (String w : new String[] {"fc1.weight", "fc2.weight", "fc3.weight"}) {
            Matcher layer = Pattern.compile("\"name\":\"" + Pattern.quote(w) + "\"[^}]*\"value_coding\":\"(\\w+)\"").matcher(ej);
            assertTrue(layer.find(), w);
            // density init uses the clusters about equally, so on these untrained weights Huffman may not pay;
            // the encoder takes whichever is smaller (trained weights: codebook_huffman, docs/DEEP_COMPRESSION.md)
            assertTrue(layer.group(1).startsWith("codebook"), w + ": " + layer.group(1));
        }
        for (String key : new String[] {"kept_fraction", "bits_per_weight", "index_bits_per_weight", "huffman_saved_bytes"}) {
            assertTrue(ej.contains("\"" + key + "\":"), key); // the paper-style per-layer report
        }
    }

    @Test
    void badSettingsAreUserErrors() throws Exception {
        Path dir = Files.createTempDirectory("cluster");
        String data = Cli.dataDir().toString();
        Cli bits = Cli.run("cluster", "lenet-300-100", "--dataset", "mnist", "--data-dir", data, "--bits-fc", "9",
                "--out", dir.resolve("c.onnx").toString());
        assertEquals(2, bits.exitCode());
        assertTrue(bits.err().contains("--bits-fc must be 1 to 8"), bits.err());
        Cli init = Cli.run("cluster", "lenet-300-100", "--dataset", "mnist", "--data-dir", data, "--init", "kmeans++",
                "--out", dir.resolve("c.onnx").toString());
        assertEquals(2, init.exitCode());
        assertTrue(init.err().contains("use linear, density or random"), init.err());
        assertFalse(Files.exists(dir.resolve("c.onnx")));
    }
}
