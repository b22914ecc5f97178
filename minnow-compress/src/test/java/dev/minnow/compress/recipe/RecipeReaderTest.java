package dev.minnow.compress.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecipeReaderTest {
    @Test
    void everyBuiltInRecipeParses() {
        for (String name : RecipeReader.BUILTINS) {
            Recipe r = RecipeReader.builtin(name);
            assertEquals(name, r.name());
            assertTrue(!r.steps().isEmpty() && !r.description().isBlank(), name);
        }
        Recipe dc = RecipeReader.builtin("deep-compression");
        assertEquals(List.of(StepKind.PRUNE, StepKind.CLUSTER, StepKind.ENCODE),
                dc.steps().stream().map(StepSpec::kind).toList());
        assertEquals(0.92, dc.steps().get(0).number("sparsity"));
        assertEquals(6, dc.steps().get(1).integer("bits-fc", 0));
    }

    @Test
    void settingsAreTypedAndKeepTheirLine() {
        Recipe r = RecipeReader.parse("""
                name: mine
                steps:
                  - sensitivity: {sparsities: [0.5, 0.9]}
                  - prune:
                      granularity: channel
                      target-macs: 0.4
                      finetune-epochs: 0
                  - quantize: {per-channel: false, weight-bits: 4}
                  - encode
                """, "mine.yaml");
        assertEquals(4, r.steps().size());
        assertEquals(List.of(0.5, 0.9), r.steps().get(0).numbers("sparsities", null));
        StepSpec prune = r.steps().get(1);
        assertEquals(4, prune.line());
        assertEquals(0.4, prune.number("target-macs"));
        assertEquals(0, prune.integer("finetune-epochs", 2));
        assertEquals(false, r.steps().get(2).flag("per-channel", true));
        assertEquals(StepKind.ENCODE, r.steps().get(3).kind());
    }

    @Test
    void pruneGroupsAreAMappingOfFractions() {
        Recipe r = RecipeReader.parse("""
                name: blocks
                steps:
                  - prune:
                      granularity: channel
                      groups: {layer1.1.conv1: 1, 'layer3.?.conv1': 0.5}
                """, "blocks.yaml");
        assertEquals(java.util.Map.of("layer1.1.conv1", 1.0, "layer3.?.conv1", 0.5), r.steps().get(0).settings().get("groups"));
        String e = assertThrows(InvalidInputException.class, () -> RecipeReader.parse("""
                name: bad
                steps:
                  - prune: {granularity: channel, groups: {conv1: 1.5}}
                """, "bad.yaml")).getMessage();
        assertTrue(e.contains("line 3") && e.contains("conv1") && e.contains("[0, 1]"), e);
        String e2 = assertThrows(InvalidInputException.class, () -> RecipeReader.parse("""
                name: bad
                steps:
                  - prune: {granularity: channel, groups: [conv1]}
                """, "bad.yaml")).getMessage();
        assertTrue(e2.contains("mapping"), e2);
    }

    @Test
    void mistakesNameTheLineAndTheFix() {
        String typo = message("""
                steps:
                  - prune: {sparsty: 0.9}
                """);
        assertTrue(typo.contains("line 2") && typo.contains("sparsty") && typo.contains("did you mean sparsity"), typo);
        String kind = message("steps:\n  - prnue: {sparsity: 0.9}\n");
        assertTrue(kind.contains("line 2") && kind.contains("did you mean prune"), kind);
        String range = message("steps:\n  - encode: {}\n  - prune:\n      sparsity: 1.5\n");
        assertTrue(range.contains("line 4") && range.contains("[0, 1)") && range.contains("1.5"), range);
        String word = message("steps:\n  - cluster: {init: kmeans++}\n");
        assertTrue(word.contains("linear, density, random"), word);
        String bits = message("steps:\n  - quantize: {weight-bits: 3.5}\n");
        assertTrue(bits.contains("weight-bits") && bits.contains("bit width"), bits);
        String none = message("steps:\n  - prune: {granularity: channel}\n");
        assertTrue(none.contains("line 2") && none.contains("target-macs"), none);
        String two = message("steps:\n  - prune: {sparsity: 0.5, target-macs: 0.5}\n");
        assertTrue(two.contains("not 2"), two);
        String yaml = message("steps:\n  - prune: {sparsity: 0.5\n");
        assertTrue(yaml.contains("not valid YAML") && yaml.contains("line"), yaml);
        assertTrue(message("name: x\n").contains("no steps"));
        String teacher = message("steps:\n  - distill: {temperature: 4}\n");
        assertTrue(teacher.contains("line 2") && teacher.contains("teacher"), teacher);
        assertTrue(message("steps: prune\n").contains("must be a list"));
    }

    @Test
    void unknownRecipeSuggestsABuiltIn() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> RecipeReader.load("deep-compresion"));
        assertTrue(e.getMessage().contains("did you mean deep-compression"), e.getMessage());
    }

    private static String message(String yaml) {
        return assertThrows(InvalidInputException.class, () -> RecipeReader.parse(yaml, "r.yaml")).getMessage();
    }
}
