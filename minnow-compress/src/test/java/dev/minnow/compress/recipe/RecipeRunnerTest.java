package dev.minnow.compress.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.encode.Mnz;
import dev.minnow.compress.prune.PruneRun;
import dev.minnow.compress.prune.SparsityPatterns;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RecipeRunnerTest {
    static final String RECIPE = """
            name: tiny
            steps:
              - prune: {granularity: weight, sparsity: 0.6, scope: layer, finetune-epochs: 1}
              - finetune: {epochs: 1}
              - encode: {}
              - export: {name: final}
            """;

    @Test
    void everyStepRecordsWhatItDidAndSavesItsModel() throws Exception {
        Path dir = Files.createTempDirectory("runner");
        Graph input = TinyTask.model();
        RecipeRunner.Result r = new RecipeRunner(StepRegistry.standard(), TinyTask.options())
                .run(RecipeReader.parse(RECIPE, "tiny.yaml"), "tiny", () -> input, TinyTask.data(), dir);
        assertEquals(List.of("base", "prune", "finetune", "encode", "export"),
                r.records().stream().map(StepRecord::kind).toList());
        StepRecord base = r.before();
        assertEquals(4 * input.paramCount(), base.sizeBytes(), "dense float32: 4 bytes per parameter");
        StepRecord prune = r.records().get(1);
        StepRecord tune = r.records().get(2);
        StepRecord encode = r.records().get(3);
        assertTrue(prune.nonZeroParams() < 0.5 * base.nonZeroParams(), prune.toString());
        assertEquals(prune.nonZeroParams(), tune.nonZeroParams(), "fine-tuning held the pruning masks");
        assertEquals(0.6, prune.settings().get("sparsity"));
        assertEquals(3, prune.line(), "the line the step starts on in the recipe");
        assertTrue(prune.details().containsKey("pass_records") && prune.details().containsKey("prune_steps"));
        Path mnz = dir.resolve(encode.file());
        assertEquals(Files.size(mnz), encode.sizeBytes(), "after encode the size is the .mnz file's");
        assertTrue(encode.sizeBytes() < base.sizeBytes() / 2, encode.sizeBytes() + " vs " + base.sizeBytes());
        assertEquals(encode.sizeBytes(), r.after().sizeBytes(), "export does not change the stored size");
        for (StepRecord s : r.records()) {
            assertTrue(s.top1() >= 0 && s.top1() <= 1 && s.seconds() >= 0, s.toString());
            assertTrue(Files.isRegularFile(dir.resolve(s.file())), s.file());
        }
        assertEquals("final.onnx", r.after().file());
        Graph exported = Onnx.read(dir.resolve("final.onnx"));
        Graph decoded = Mnz.read(mnz, TinyTask.ONNX);
        for (String w : PruneRun.prunableWeights(input)) {
            assertTrue(exported.initializers().get(w).contentEquals(decoded.initializers().get(w)), w);
            assertEquals(0.6, SparsityPatterns.sparsity(exported.initializers().get(w)), 0.02, w);
        }
        assertEquals(PruneRun.nonZeroParams(TinyTask.model()), PruneRun.nonZeroParams(input), "input untouched");
        assertTrue(Files.isRegularFile(dir.resolve("state.json")));

        Map<String, Object> report = CompressReport.of(r, "tiny", "halves");
        for (String k : List.of("top1_before", "top1_after", "size_bytes_before", "size_bytes_after", "macs_before",
                "macs_after", "params_before", "params_after", "latency_ms_before", "latency_ms_after", "model", "dataset",
                "recipe", "steps", "layers", "histograms", "sensitivity", "trials", "graph")) {
            assertTrue(report.containsKey(k), k);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) report.get("layers");
        assertEquals(3, layers.size(), "conv and two dense layers");
        for (Map<String, Object> l : layers) {
            assertTrue((double) l.get("sparsity") > 0.5, l.toString());
        }
        @SuppressWarnings("unchecked")
        Map<String, List<Double>> h = (Map<String, List<Double>>) report.get("histograms");
        assertTrue(h.get("after").size() < h.get("before").size() && !h.get("after").contains(0.0));
    }

    @Test
    void anInterruptedRunContinuesAfterItsLastFinishedStep() throws Exception {
        Path dir = Files.createTempDirectory("resume");
        Recipe recipe = RecipeReader.parse(RECIPE, "tiny.yaml");
        Graph input = TinyTask.model();
        StepRegistry failing = StepRegistry.standard().with(StepKind.EXPORT, (spec, in, ctx) -> {
            throw new IllegalStateException("power cut");
        });
        assertThrows(IllegalStateException.class,
                () -> new RecipeRunner(failing, TinyTask.options()).run(recipe, "tiny", () -> input, TinyTask.data(), dir));
        assertTrue(Files.isRegularFile(dir.resolve("step-3-encode.mnz")));
        assertFalse(Files.exists(dir.resolve("final.onnx")));

        AtomicInteger pruned = new AtomicInteger();
        AtomicInteger tuned = new AtomicInteger();
        StepRegistry counting = StepRegistry.standard()
                .with(StepKind.PRUNE, (spec, in, ctx) -> {
                    pruned.incrementAndGet();
                    return StepRegistry.standard().get(StepKind.PRUNE).run(spec, in, ctx);
                })
                .with(StepKind.FINETUNE, (spec, in, ctx) -> {
                    tuned.incrementAndGet();
                    return StepRegistry.standard().get(StepKind.FINETUNE).run(spec, in, ctx);
                });
        RecipeRunner.Result r = new RecipeRunner(counting, TinyTask.options()).run(recipe, "tiny", () -> {
            throw new AssertionError("a resumed run does not ask for the input model again");
        }, TinyTask.data(), dir);
        assertEquals(0, pruned.get() + tuned.get(), "finished steps are not run again");
        assertEquals(3, r.resumedAfter());
        assertEquals(5, r.records().size());
        Graph exported = Onnx.read(dir.resolve("final.onnx"));
        assertEquals(r.records().get(2).nonZeroParams(), PruneRun.nonZeroParams(exported),
                "export continued from the fine-tuned, encoded model");

        Recipe other = RecipeReader.parse(RECIPE.replace("0.6", "0.7"), "other.yaml");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new RecipeRunner(StepRegistry.standard(),
                TinyTask.options()).run(other, "tiny", TinyTask::model, TinyTask.data(), dir));
        assertTrue(e.getMessage().contains("--restart"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> new RecipeRunner(StepRegistry.standard(), TinyTask.options())
                .run(recipe, "another model", TinyTask::model, TinyTask.data(), dir));

        RecipeRunner.Options restart = new RecipeRunner.Options(TinyTask.ONNX, TinyTask.options().tuning(), 1, 0,
                s -> { }, true);
        RecipeRunner.Result again = new RecipeRunner(StepRegistry.standard(), restart).run(other, "tiny", TinyTask::model,
                TinyTask.data(), dir);
        assertEquals(0, again.resumedAfter());
        assertEquals(0.7, again.records().get(1).settings().get("sparsity"));
    }

    @Test
    void aStepThisBuildCannotRunFailsBeforeAnythingRuns() throws Exception {
        Path dir = Files.createTempDirectory("missing");
        Recipe r = RecipeReader.parse("name: x\nsteps:\n  - prune: {sparsity: 0.5}\n  - cluster: {bits-fc: 4}\n", "x.yaml");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new RecipeRunner(
                StepRegistry.standard().without(StepKind.CLUSTER), TinyTask.options()).run(r, "tiny", () -> {
                    throw new AssertionError("nothing runs");
                }, TinyTask.data(), dir));
        assertTrue(e.getMessage().contains("x.yaml line 4") && e.getMessage().contains("cluster"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("state.json")));
    }

    @Test
    void stateFileRoundTrips() {
        StepRecord s = new StepRecord(1, "prune", 3, Map.of("sparsity", 0.5), 0.75, 1234, 99, 1000, 0.25, 1.5,
                Map.of("note", "a \"quoted\"\nline", "list", List.of(1, 2.5)), "step-1-prune.onnx");
        @SuppressWarnings("unchecked")
        StepRecord back = StepRecord.fromMap((Map<String, Object>) JsonText.read(JsonText.write(s.toMap()), "t"));
        assertEquals(s.toMap().toString(), back.toMap().toString());
        assertNotNull(back.latencyMs());
    }

    @Test
    void aPruneStepTakesReconstructionImportanceForChannelsOnly() throws Exception {
        Graph input = TinyTask.model();
        RecipeRunner.Result r = new RecipeRunner(StepRegistry.standard(), TinyTask.options()).run(RecipeReader.parse("""
                name: thinet
                steps:
                  - prune: {granularity: channel, method: reconstruction, sparsity: 0.5, round-to: 1, finetune-epochs: 0}
                """, "thinet.yaml"), "tiny", () -> input, TinyTask.data(), Files.createTempDirectory("thinet"));
        StepRecord prune = r.records().get(1);
        assertEquals("reconstruction", prune.settings().get("method"));
        assertTrue(prune.macs() < 0.6 * r.before().macs(), prune.macs() + " of " + r.before().macs());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new RecipeRunner(StepRegistry.standard(),
                TinyTask.options()).run(RecipeReader.parse("""
                name: bad
                steps:
                  - prune: {granularity: weight, method: reconstruction, sparsity: 0.5}
                """, "bad.yaml"), "tiny", () -> input, TinyTask.data(), Files.createTempDirectory("thinet")));
        assertTrue(e.getMessage().contains("granularity channel"), e.getMessage());
    }
}
