package dev.minnow.cli;

import dev.minnow.compress.prune.FineTuning;
import dev.minnow.compress.recipe.GoalSearch;
import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.Recipe;
import dev.minnow.compress.recipe.RecipeReader;
import dev.minnow.compress.recipe.RecipeRunner;
import dev.minnow.compress.recipe.StepKind;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Preprocessing;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Goal-mode trials as work a cluster can ship (`minnow compress ... --spark MASTER`): the model
 * travels once as ONNX bytes, and each worker loads the dataset itself (its own --data-dir or
 * MINNOW_DATA) and builds the same recipe runner the local search uses.
 */
final class GoalTrials implements JobRunner.SharedWork<GoalTrials.Setup, GoalTrials.Context, GoalSearch.TrialJob,
        GoalSearch.Trial> {

    /** recipeText is the YAML of a recipe file (null for a built-in recipe, loaded by name). */
    record Setup(byte[] model, String dataset, String dataDir, String recipe, String recipeText, String id, long seed,
                 double epochsScale, double latencySeconds, boolean quiet) implements Serializable {
    }

    record Context(Graph graph, DatasetSplit split, Recipe recipe, RecipeRunner runner, String id) {
    }

    @Override
    public Context open(Setup s) {
        Graph g = Onnx.fromBytes(s.model());
        DataOptions data = new DataOptions();
        data.dataset = s.dataset();
        data.dataDir = s.dataDir();
        DatasetSplit loaded = data.load();
        Preprocessing pre = new PreprocessOptions().resolve(g, loaded.normalization(), loaded.test().sampleShape().dim(2));
        DatasetSplit split = pre.forTraining(loaded);
        boolean augment = split.train().sampleShape().dim(0) == 3;
        FineTuning tuning = new FineTuning(null, FineTuning.DEFAULT_WEIGHT_DECAY, FineTuning.DEFAULT_BATCH_SIZE, augment,
                s.seed(), () -> new TrainCommand.ProgressListener(s.quiet()));
        // as the local search: trials fine-tune half as long, and each trial folder resumes
        RecipeRunner.Options options = new RecipeRunner.Options(EncodeCommand.ONNX, tuning, s.epochsScale() * 0.5,
                s.latencySeconds(), line -> System.err.println("compress: " + line), false);
        Recipe r = s.recipeText() == null ? RecipeReader.load(s.recipe()) : RecipeReader.parse(s.recipeText(), s.recipe());
        return new Context(g, split, r, new RecipeRunner(CompressCommand.registry(), options), s.id());
    }

    @Override
    public GoalSearch.Trial apply(Context c, GoalSearch.TrialJob job) {
        Recipe tr = GoalSearch.withAmount(c.recipe(), job.amount());
        System.err.printf("compress: trial %d: %s%n", job.index(), tr.steps().stream()
                .filter(s -> s.kind() == StepKind.PRUNE).findFirst().orElseThrow().describe());
        RecipeRunner.Result res = c.runner().run(tr, c.id(), c::graph, c.split(), Path.of(job.dir()));
        return new GoalSearch.Trial(job.index(), job.amount(), res.after().top1(), res.after().sizeBytes(),
                res.after().latencyMs(), job.dir(), res.finalFile().toString(), null);
    }
}
