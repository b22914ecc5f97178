package dev.minnow.compress.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GoalSearchTest {
    private static final Recipe RECIPE = RecipeReader.parse("""
            name: goal
            steps:
              - prune: {granularity: weight, sparsity: 0.5, scope: layer, finetune-epochs: 1}
              - encode: {}
            """, "goal.yaml");

    /** A model whose accuracy is 1 - amount and size 1000 (1 - amount): the budget decides the amount. */
    private static GoalSearch.Trial synthetic(GoalSearch.TrialJob j) {
        return new GoalSearch.Trial(j.index(), j.amount(), 1 - j.amount(), (long) (1000 * (1 - j.amount())), null, j.dir(),
                null, null);
    }

    @Test
    void bisectionClosesInOnTheLargestAmountWithinTheBudget() {
        // accuracy 1.0 before, 0.3 may be lost: amounts up to 0.3 keep the budget
        GoalSearch.Outcome o = GoalSearch.search(RECIPE, new GoalSearch.Goal(0.3, 650L, null), 1.0, 6, "t",
                new LocalJobRunner(2), GoalSearchTest::synthetic);
        assertEquals(12, o.trials().size(), "two trials per round");
        assertTrue(o.best().amount() <= 0.3 + 1e-9 && o.best().amount() > 0.28, "best " + o.best().amount());
        assertFalse(o.goalMet(), "size 700 at best, target 650");
        GoalSearch.Outcome met = GoalSearch.search(RECIPE, new GoalSearch.Goal(0.3, 750L, null), 1.0, 6, "t",
                new LocalJobRunner(1), GoalSearchTest::synthetic);
        assertTrue(met.goalMet() && met.best().sizeBytes() <= 750);
    }

    @Test
    void anUnreachableGoalStillSavesTheBestModelFound() throws Exception {
        Path dir = Files.createTempDirectory("goal");
        Graph base = TinyTask.model();
        RecipeRunner runner = new RecipeRunner(StepRegistry.standard(), TinyTask.options());
        double top1 = ModelMeasures.top1(base, TinyTask.data().test(), TinyTask.data().normalization());
        // one byte is out of reach for any amount
        GoalSearch.Outcome o = GoalSearch.search(RECIPE, new GoalSearch.Goal(0.05, 1L, null), top1, 2,
                dir.toString(), new LocalJobRunner(1), job -> {
                    RecipeRunner.Result r = runner.run(GoalSearch.withAmount(RECIPE, job.amount()), "tiny", () -> base,
                            TinyTask.data(), Path.of(job.dir()));
                    return new GoalSearch.Trial(job.index(), job.amount(), r.after().top1(), r.after().sizeBytes(),
                            r.after().latencyMs(), job.dir(), r.finalFile().toString(), null);
                });
        assertFalse(o.goalMet());
        assertEquals(2, o.trials().size());
        assertEquals(0.5, o.trials().getFirst().amount(), "the recipe's own amount is tried first");
        assertTrue(Files.isRegularFile(Path.of(o.best().file())), "the best model is on disk: " + o.best().file());
        assertTrue(o.best().file().endsWith(".mnz"));
        for (GoalSearch.Trial t : o.trials()) {
            assertTrue(o.best().sizeBytes() <= t.sizeBytes() || t.top1() < o.top1Floor() || !o.withinBudget(), t.toString());
        }
    }
}
