package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.cluster.CentroidInit;
import dev.minnow.compress.cluster.ClusterRun;
import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** minnow cost --steps / --baseline: LeNet-300-100 pruned to 90% and clustered to 5 bits, against its dense self. */
class CompressionCostTest {
    private static final Pattern STEP = Pattern.compile("\"step\":(\\d+),\"kind\":\"[a-z]+\",\"file\":\"[^\"]*\","
            + "\"energy_pj\":([^,]+),.*?\"saving\":([^,]+),\"factors\":\\{\"architecture\":([^,]+),\"sparsity\":([^,]+),"
            + "\"weight_bits\":([^,]+),\"DRAM_to_SRAM\":([^,]+),\"zero_activations\":([^}]+)}");

    /** Per step: energy, saving, then the five factors. */
    static List<double[]> steps(String json) {
        List<double[]> out = new ArrayList<>();
        Matcher m = STEP.matcher(json);
        while (m.find()) {
            double[] v = new double[7];
            for (int i = 0; i < 7; i++) {
                v[i] = Double.parseDouble(m.group(i + 2));
            }
            out.add(v);
        }
        return out;
    }

    static Path runFolder(Path dir) {
        Graph dense = Zoo.build("lenet-300-100", 1);
        Onnx.write(dense, dir.resolve("step-0-base.onnx"));
        Graph pruned = MagnitudePruning.global(0.9).prune(Zoo.build("lenet-300-100", 1)).graph();
        Onnx.write(pruned, dir.resolve("step-1-prune.onnx"));
        Graph clustered = ClusterRun.run(pruned, new ClusterRun.Settings(5, 5, CentroidInit.LINEAR, 1)).graph();
        Onnx.write(clustered, dir.resolve("step-2-cluster.onnx"));
        return dir;
    }

    @Test
    void deepCompressedLeNetOnEieShowsEachFactor(@TempDir Path dir) throws IOException {
        Path run = runFolder(Files.createDirectory(dir.resolve("run")));
        // 4 PEs: 512 KB of SRAM, less than the dense model's 1.06 MB of fp32 weights, more than the compressed ones
        Path cfg = Files.writeString(dir.resolve("eie.cfg"), "pes: 4\n");
        Cli r = Cli.run("cost", "--steps", run.toString(), "--hw", "eie", "--config", cfg.toString(),
                "--activation-density", "0.4", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<double[]> s = steps(r.json());
        assertEquals(3, s.size(), r.json());
        // step 0 is the baseline itself: only EIE's skipping of zero activations saves anything on it
        double[] first = s.get(0);
        assertEquals(first[6], first[1], 1e-9, "step 0's saving is its zero activations alone");
        assertEquals(1, first[2] * first[3] * first[4] * first[5], 1e-9);
        assertTrue(s.get(1)[0] < s.get(0)[0] && s.get(2)[0] < s.get(1)[0], "energy falls step by step: " + r.json());
        double[] last = s.get(2);
        assertEquals(1, last[2], 1e-9, "same architecture");
        assertTrue(last[3] > 3, "90% zeros skipped and not stored: " + last[3]);
        assertTrue(last[4] > 2, "5-bit indices instead of fp32: " + last[4]);
        assertTrue(last[5] > 4, "weights now fit on chip (Horowitz: DRAM 13x a 1 MB SRAM per bit): " + last[5]);
        assertTrue(last[6] > 1.5, "60% zero activations skipped: " + last[6]);
        assertEquals(last[1], last[2] * last[3] * last[4] * last[5] * last[6], 1e-9 * last[1], "factors multiply to the saving");
        assertTrue(r.json().contains("\"weights_on_chip\":true") && r.json().contains("\"dram\":0.0"), r.json());
        Cli human = Cli.run("cost", "--steps", run.toString(), "--hw", "eie", "--config", cfg.toString(), "--activation-density", "0.4");
        System.out.println(human.out());
        assertTrue(human.out().contains("DRAM to SRAM"), human.out());
    }

    @Test
    void denseHardwareGainsNothingFromZerosOrSharedFloats(@TempDir Path dir) {
        Path run = runFolder(dir);
        Cli r = Cli.run("cost", run.resolve("step-2-cluster.onnx").toString(),
                "--baseline", run.resolve("step-0-base.onnx").toString(), "--hw", "cpu", "--json");
        assertEquals(0, r.exitCode(), r.err());
        List<double[]> s = steps(r.json());
        assertEquals(2, s.size());
        // dense fp32 kernels multiply the zeros and read the clustered floats at 32 bits: no saving
        assertEquals(1, s.get(1)[1], 1e-9, r.json());
    }

    @Test
    void badFolderOrMismatchedModelExitsTwo(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Cli r = Cli.run("cost", "--steps", empty.toString(), "--hw", "eie");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("step-0"), r.err());
        Path other = dir.resolve("resnet20.onnx"); // CIFAR-10 images, not MNIST: not the baseline compressed
        Onnx.write(Zoo.build("resnet20", 1), other);
        Path base = dir.resolve("base.onnx");
        Onnx.write(Zoo.build("lenet-300-100", 1), base);
        Cli m = Cli.run("cost", other.toString(), "--baseline", base.toString(), "--hw", "eie");
        assertEquals(2, m.exitCode(), m.err());
        assertTrue(m.err().contains("does not match the baseline"), m.err());
        assertEquals(2, Cli.run("cost", "--steps", dir.resolve("missing").toString(), "--hw", "cpu").exitCode());
    }
}
