package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * `minnow prune` and `minnow sensitivity` as a user calls them, on MNIST with a LeNet-5 of seeded
 * weights (no fine-tuning: the accuracies are not the point, the file, the keys and the sizes are).
 */
class PruneCommandTest {

    @Test
    void channelPruningWritesASmallerDenseModelAndLeavesTheInputAlone() throws Exception {
        Path dir = Files.createTempDirectory("prune");
        Path in = dir.resolve("lenet5.onnx");
        Onnx.write(Zoo.build("lenet5", 1), in);
        byte[] before = Files.readAllBytes(in);
        Path out = dir.resolve("pruned.onnx");
        Cli r = Cli.run("prune", in.toString(), "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--target-macs", "0.5", "--finetune-epochs", "0", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        long macsBefore = (long) number(j, "macs_before");
        long macsAfter = (long) number(j, "macs_after");
        assertTrue(macsAfter <= macsBefore / 2 && macsAfter > macsBefore / 4, j);
        assertTrue((long) number(j, "params_after") < (long) number(j, "params_before"));
        for (String k : new String[] {"sparsity", "top1_before", "top1_after"}) {
            double v = number(j, k);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
        }
        Graph pruned = Onnx.read(out);
        assertEquals(macsAfter, pruned.validate().macs(), "the saved graph is the smaller one");
        assertArrayEquals(before, Files.readAllBytes(in), "the input model file is never modified");
    }

    @Test
    void groupSparsityPrunesTheNamedGroupAndInfoListsTheGroups() throws Exception {
        Cli groups = Cli.run("info", "resnet20", "--channel-groups", "--json");
        assertEquals(0, groups.exitCode(), groups.err());
        assertTrue(groups.json().contains("\"layer2.1.conv1+layer2.1.bn1\"") && groups.json().contains("graph output"),
                groups.json());
        Path out = Files.createTempDirectory("prune").resolve("one-group.onnx");
        Cli r = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--group-sparsity", "conv2*=0.5", "--round-to", "1", "--finetune-epochs", "0",
                "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        Graph g = Onnx.read(out).validate();
        Graph original = Zoo.build("lenet5", 1);
        for (var n : g.nodes()) {
            if (n.opType().equals("Conv")) {
                int before = original.initializers().get(n.input(1)).shape().dim(0);
                int after = g.initializers().get(n.input(1)).shape().dim(0);
                assertEquals(n.name().startsWith("conv2") ? before / 2 : before, after, n.name());
            }
        }
        // no residual Add bypasses LeNet-5's conv2: emptying it is refused, and nothing is written
        Path refused = out.resolveSibling("refused.onnx");
        Cli bad = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--group-sparsity", "conv2*=1", "--finetune-epochs", "0",
                "--out", refused.toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("residual") && !bad.err().contains("\tat "), bad.err());
        assertFalse(Files.exists(refused));
        Cli unknown = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--group-sparsity", "nothing=0.5", "--finetune-epochs", "0",
                "--out", refused.toString());
        assertEquals(2, unknown.exitCode(), unknown.err());
        assertTrue(unknown.err().contains("names no prunable channel group") && unknown.err().contains("conv1"), unknown.err());
    }

    @Test
    void aSensitivitySweepChoosesPerLayerSparsities() throws Exception {
        Path dir = Files.createTempDirectory("prune-sens");
        Cli sweep = Cli.run("sensitivity", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sparsities", "0.5,0.9", "--samples", "300", "--json");
        assertEquals(0, sweep.exitCode(), sweep.err());
        Path file = dir.resolve("sens.json");
        Files.writeString(file, sweep.out());
        Path out = dir.resolve("pruned.onnx");
        Cli r = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sensitivity", file.toString(), "--sparsity", "0.6", "--finetune-epochs", "0", "--out", out.toString(),
                "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertTrue(j.contains("\"allocation\":{"), j);
        // the allocation removes at least 60% of the swept layers' weights (biases are not swept)
        assertTrue(number(j, "sparsity") >= 0.59, j);
        Graph g = Onnx.read(out);
        int levels = 0;
        java.util.Set<Double> kept = new java.util.HashSet<>();
        for (var n : g.nodes()) {
            if (n.inputs().size() > 1 && g.initializers().get(n.input(1)) != null
                    && g.initializers().get(n.input(1)).shape().rank() >= 2) {
                float[] w = g.initializers().get(n.input(1)).floats();
                long nz = 0;
                for (float v : w) {
                    nz += v != 0 ? 1 : 0;
                }
                kept.add(Math.round(100.0 * nz / w.length) / 100.0);
                levels++;
            }
        }
        assertTrue(levels >= 4 && kept.size() >= 2, "layers get different sparsities from their curves: " + kept);
        Cli wrongKind = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sensitivity", file.toString(), "--granularity", "channel", "--target-macs", "0.3",
                "--finetune-epochs", "0", "--out", out.toString());
        assertEquals(2, wrongKind.exitCode(), wrongKind.err());
        assertTrue(wrongKind.err().contains("measured weight pruning"), wrongKind.err());
        Files.writeString(file, "{\"model\": \"x\"}");
        Cli notASweep = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sensitivity", file.toString(), "--sparsity", "0.5", "--finetune-epochs", "0", "--out", out.toString());
        assertEquals(2, notASweep.exitCode(), notASweep.err());
        assertTrue(notASweep.err().contains("minnow sensitivity"), notASweep.err());
    }

    @Test
    void reconstructionImportancePrunesChannelsAndRefusesOtherGranularities() throws Exception {
        Path out = Files.createTempDirectory("prune").resolve("thinet.onnx");
        Cli r = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--method", "reconstruction", "--sparsity", "0.5", "--round-to", "1",
                "--reconstruction-batches", "2", "--finetune-epochs", "0", "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertTrue(j.contains("\"method\":\"reconstruction\""), j);
        for (String k : new String[] {"params_before", "params_after", "macs_before", "macs_after", "sparsity",
                "top1_before", "top1_after"}) {
            assertTrue(j.contains("\"" + k + "\""), k + " in " + j);
        }
        assertTrue(number(j, "macs_after") < number(j, "macs_before") / 2, j);
        Graph g = Onnx.read(out).validate();
        Graph original = Zoo.build("lenet5", 1);
        for (var n : g.nodes()) {
            if (n.opType().equals("Conv")) {
                int before = original.initializers().get(n.input(1)).shape().dim(0);
                assertEquals(before / 2, g.initializers().get(n.input(1)).shape().dim(0), n.name());
            }
        }
        Path refused = out.resolveSibling("refused.onnx");
        Cli bad = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "weight", "--method", "reconstruction", "--sparsity", "0.5", "--finetune-epochs", "0",
                "--out", refused.toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--granularity channel") && !bad.err().contains("\tat "), bad.err());
        assertFalse(Files.exists(refused));
    }

    @Test
    void groupLassoTrainsChannelsTowardZeroBeforePruning() throws Exception {
        Path out = Files.createTempDirectory("prune-ssl").resolve("ssl.onnx");
        Cli r = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "channel", "--method", "l2", "--sparsity", "0.5", "--group-lasso", "0.01",
                "--lasso-epochs", "1", "--finetune-epochs", "0", "--lr", "0.01", "--weight-decay", "0",
                "--out", out.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        double before = number(j, "channel_norm_sum_before");
        double after = number(j, "channel_norm_sum_after");
        // no weight decay: only the penalty pulls the channel norms down (training alone grows them)
        assertTrue(after < 0.9 * before, "channel norms " + before + " -> " + after);
        Cli bad = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sparsity", "0.5", "--group-lasso", "0.01", "--finetune-epochs", "0", "--out", out.toString());
        assertEquals(2, bad.exitCode(), bad.err());
        assertTrue(bad.err().contains("--granularity channel"), bad.err());
    }

    @Test
    void twoOfFourZeroesHalfOfEveryEligibleWeight() throws Exception {
        Path out = Files.createTempDirectory("prune").resolve("sparse.onnx");
        Path png = out.resolveSibling("weights.png");
        Cli r = Cli.run("prune", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--granularity", "2:4", "--finetune-epochs", "0", "--out", out.toString(), "--histograms", png.toString(),
                "--json");
        assertEquals(0, r.exitCode(), r.err());
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "a PNG file");
        double sparsity = number(r.json(), "sparsity");
        // conv1 (1 input channel) cannot take 2:4; the rest is half of ~99.9% of the weights
        assertTrue(sparsity > 0.45 && sparsity < 0.5, r.json());
    }

    @Test
    void badSettingsExitTwoAndWriteNothing() throws Exception {
        Path out = Files.createTempDirectory("prune").resolve("never.onnx");
        String data = Cli.dataDir().toString();
        String[][] cases = {
            {"--sparsity", "1.2"},
            {"--sparsity", "0.5", "--target-macs", "0.5"},
            {"--granularity", "weight", "--target-macs", "0.5"},
            {"--granularity", "rows", "--sparsity", "0.5"},
            {"--granularity", "channel", "--sparsity", "0.5", "--method", "taylor", "--schedule", "sometimes"},
        };
        for (String[] c : cases) {
            String[] args = new String[8 + c.length];
            String[] head = {"prune", "lenet5", "--dataset", "mnist", "--data-dir", data, "--out", out.toString()};
            System.arraycopy(head, 0, args, 0, head.length);
            System.arraycopy(c, 0, args, head.length, c.length);
            Cli r = Cli.run(args);
            assertEquals(2, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void sensitivityMeasuresEveryLayerAndDrawsTheCurves() throws Exception {
        Path png = Files.createTempDirectory("sens").resolve("curves.png");
        Cli r = Cli.run("sensitivity", "lenet5", "--dataset", "mnist", "--data-dir", Cli.dataDir().toString(),
                "--sparsities", "0.5,0.9", "--samples", "200", "--plot", png.toString(), "--json");
        assertEquals(0, r.exitCode(), r.err());
        String j = r.json();
        assertEquals(4, j.split("\"curve\"").length - 1, "lenet5: 2 convs and 2 dense layers: " + j);
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "a PNG file");
    }
}
