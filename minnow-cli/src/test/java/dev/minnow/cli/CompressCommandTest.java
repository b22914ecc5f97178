package dev.minnow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `minnow compress` as a user calls it: the recipe list, and bad recipes refused before any work. */
class CompressCommandTest {
    @Test
    void listShowsEveryBuiltInRecipeWithItsSteps() {
        Cli r = Cli.run("compress", "--list");
        assertEquals(0, r.exitCode(), r.err());
        for (String name : new String[] {"deep-compression", "int8-ptq", "prune-channels", "edge-int8"}) {
            assertTrue(r.out().contains(name), name + " in\n" + r.out());
        }
        assertTrue(r.out().contains("sparsity=0.92") && r.out().contains("Huffman"), r.out());
        Cli j = Cli.run("compress", "--list", "--json");
        assertTrue(j.json().startsWith("{\"recipes\":[{\"name\":\"deep-compression\""), j.json());
    }

    @Test
    void badRecipesExitTwoNamingTheLine() throws Exception {
        Path dir = Files.createTempDirectory("compress");
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, "name: typo\nsteps:\n  - prune: {sparsity: 0.5}\n  - encod: {}\n");
        String data = Cli.dataDir().toString();
        Path out = dir.resolve("run");
        Cli r = Cli.run("compress", "lenet5", "--dataset", "mnist", "--data-dir", data, "--recipe", yaml.toString(),
                "--out", out.toString());
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("line 4") && r.err().contains("did you mean encode"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());

        Path cluster = dir.resolve("distill.yaml");
        Files.writeString(cluster, "name: c\nsteps:\n  - prune: {sparsity: 0.5}\n  - distill: {alpha: 0.5}\n");
        Cli c = Cli.run("compress", "lenet5", "--dataset", "mnist", "--data-dir", data, "--recipe", cluster.toString(),
                "--out", out.toString());
        assertEquals(2, c.exitCode(), c.err());
        assertTrue(c.err().contains("line 4") && c.err().contains("teacher"), c.err());
        assertFalse(Files.exists(out.resolve("state.json")), "nothing ran");

        Cli unknown = Cli.run("compress", "lenet5", "--dataset", "mnist", "--recipe", "deep-compresion", "--out",
                out.toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("did you mean deep-compression"), unknown.err());

        Cli goal = Cli.run("compress", "lenet5", "--dataset", "mnist", "--data-dir", data, "--recipe", "prune-channels",
                "--out", out.toString(), "--target-size", "30x");
        assertEquals(2, goal.exitCode());
        assertTrue(goal.err().contains("--max-accuracy-drop"), goal.err());
    }

    @Test
    void theReportGetsEachStepsEstimatedEnergy() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("energy");
        dev.minnow.graph.Graph base = dev.minnow.zoo.Zoo.build("lenet5", 1);
        dev.minnow.graph.Graph half = new dev.minnow.compress.prune.ChannelPruner(
                dev.minnow.compress.prune.Importance.l1(), 1).prune(base, 0.5).graph();
        dev.minnow.onnx.Onnx.write(base, dir.resolve("step-0-base.onnx"));
        dev.minnow.onnx.Onnx.write(half, dir.resolve("step-1-prune.onnx"));
        java.util.Map<String, Object> s0 = new java.util.LinkedHashMap<>(java.util.Map.of("index", 0, "file", "step-0-base.onnx"));
        java.util.Map<String, Object> s1 = new java.util.LinkedHashMap<>(java.util.Map.of("index", 1, "file", "step-1-prune.onnx"));
        java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("steps", java.util.List.of(s0, s1));
        report.put("run_dir", dir.toString());
        CompressCommand.addEnergy(report);
        double before = (Double) report.get("energy_pj_before");
        double after = (Double) report.get("energy_pj_after");
        assertEquals(before, (Double) s0.get("energy_pj"), 1e-6 * before);
        assertEquals(after, (Double) s1.get("energy_pj"), 1e-6 * after);
        // half the channels of each layer: about a quarter of the inner layers' MACs and weights, and
        // the weights now fit the target's on-chip memory, so DRAM traffic for them goes too
        assertTrue(after < 0.7 * before && after > 0, before + " -> " + after);
        report.put("steps", java.util.List.of(new java.util.LinkedHashMap<>(java.util.Map.of("index", 0, "file", "missing.onnx"))));
        report.remove("energy_pj_before");
        CompressCommand.addEnergy(report);
        assertTrue(report.get("energy_error") instanceof String, "an unreadable step leaves the reason, not a crash");
    }
}
