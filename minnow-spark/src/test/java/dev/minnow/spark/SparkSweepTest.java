package dev.minnow.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.prune.Sensitivity;
import dev.minnow.compress.prune.SensitivitySweep;
import dev.minnow.compress.recipe.GoalSearch;
import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.JobRunnerProvider;
import dev.minnow.compress.recipe.LocalJobRunner;
import dev.minnow.compress.recipe.ModelMeasures;
import dev.minnow.compress.recipe.RecipeReader;
import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Normalization;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.zoo.Zoo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same work in Spark's local mode and on local threads gives the same numbers. */
class SparkSweepTest {
    private static JobRunner spark;

    @BeforeAll
    static void start() {
        // through the service registration, as `minnow ... --spark local[2]` finds it
        spark = JobRunnerProvider.open("spark", "local[2]");
    }

    @AfterAll
    static void stop() {
        spark.close();
    }

    @Test
    void theServiceLoaderFindsSparkWithTwoTaskSlots() {
        assertInstanceOf(SparkJobRunner.class, spark);
        assertEquals(2, spark.parallelism());
        assertEquals("spark local[2]", spark.describe());
    }

    @Test
    void aSensitivitySweepOnSparkMatchesTheLocalSweepExactly() {
        Graph g = Zoo.build("lenet5", 3);
        Held held = heldOut(300);
        SensitivitySweep.Input in = new SensitivitySweep.Input(Onnx.toBytes(g), Onnx::fromBytes,
                SensitivitySweep.Granularity.WEIGHT, "l1", SensitivitySweep.HeldOut.of(held.data(), held.normalization()));
        double[] sparsities = {0.5, 0.8, 0.95};
        List<Sensitivity.Curve> local = SensitivitySweep.run(new LocalJobRunner(1), in, sparsities, n -> { });
        AtomicInteger seen = new AtomicInteger();
        List<Sensitivity.Curve> onSpark = SensitivitySweep.run(spark, in, sparsities, seen::set);
        // the old in-process sweep on the graph itself: the shipped bytes lose nothing
        List<Sensitivity.Curve> direct = Sensitivity.sweep(g, Sensitivity.weightLayers(g), sparsities,
                m -> ModelMeasures.top1(m, held.data(), held.normalization()));

        int layers = Sensitivity.weightLayers(g).size();
        assertTrue(layers >= 4, "LeNet-5 has at least 4 weight layers, got " + layers);
        assertEquals(layers, onSpark.size());
        assertEquals(layers * sparsities.length + 1, seen.get(), "progress counts every measurement");
        boolean changed = false;
        for (int l = 0; l < layers; l++) {
            assertEquals(local.get(l).layer(), onSpark.get(l).layer());
            assertArrayEquals(local.get(l).sparsities(), onSpark.get(l).sparsities());
            assertArrayEquals(local.get(l).accuracies(), onSpark.get(l).accuracies(), 0.0, local.get(l).layer());
            assertArrayEquals(direct.get(l).accuracies(), onSpark.get(l).accuracies(), 0.0, direct.get(l).layer());
            double[] a = onSpark.get(l).accuracies();
            changed |= a[a.length - 1] != a[0];
        }
        assertTrue(changed, "pruning 95% of some layer changes the accuracy: the sweep measured something");
    }

    @Test
    void theGoalSearchOnSparkTriesTheSameAmountsAsOnLocalThreads() {
        var recipe = RecipeReader.parse("""
                name: goal
                steps:
                  - prune: {granularity: weight, sparsity: 0.5, scope: layer}
                  - encode: {}
                """, "goal.yaml");
        var goal = new GoalSearch.Goal(0.3, 650L, null);
        GoalSearch.Outcome local = GoalSearch.search(recipe, goal, 1.0, 4, "t", new LocalJobRunner(2), SparkSweepTest::trial);
        GoalSearch.Outcome onSpark = GoalSearch.search(recipe, goal, 1.0, 4, "t", spark, SparkSweepTest::trial);
        assertEquals(8, onSpark.trials().size(), "two trials a round, one per task slot");
        assertEquals(local.trials(), onSpark.trials());
        assertEquals(local.best(), onSpark.best());
    }

    /** Accuracy 1 - amount, size 1000 (1 - amount): a stand-in for a recipe run. */
    private static GoalSearch.Trial trial(GoalSearch.TrialJob j) {
        return new GoalSearch.Trial(j.index(), j.amount(), 1 - j.amount(), (long) (1000 * (1 - j.amount())), null,
                j.dir(), null, null);
    }

    private record Held(Dataset data, Normalization normalization) {
    }

    /** n MNIST test images spread over the set, or random images if MNIST is not here (the comparison holds either way). */
    private static Held heldOut(int n) {
        Path dir = mnistDir();
        if (dir != null) {
            DatasetSplit mnist = Datasets.load("mnist", dir);
            Dataset t = mnist.test();
            float[] px = new float[n * 784];
            int[] labels = new int[n];
            int stride = t.size() / n;
            for (int i = 0; i < n; i++) {
                t.copySample(i * stride, px, i * 784);
                labels[i] = t.label(i * stride);
            }
            return new Held(new SensitivitySweep.HeldOut(new int[] {1, 28, 28}, 10, px, labels, mnist.normalization().mean(),
                    mnist.normalization().std()).dataset(), mnist.normalization());
        }
        System.err.println("SparkSweepTest: MNIST not found (MINNOW_DATA); comparing on random images");
        Random r = new Random(7);
        float[] px = new float[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextFloat();
        }
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
        }
        Normalization norm = Normalization.uniform(1, 0.5f, 0.25f);
        assertEquals(784, Shape.of(1, 28, 28).sizeInt());
        return new Held(new SensitivitySweep.HeldOut(new int[] {1, 28, 28}, 10, px, labels, norm.mean(), norm.std()).dataset(),
                norm);
    }

    private static Path mnistDir() {
        for (String env : new String[] {"MINNOW_DATA", "MINNOW_DATA_DEFAULT"}) {
            String v = System.getenv(env);
            if (v != null && Files.isDirectory(Path.of(v, "mnist"))) {
                return Path.of(v);
            }
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("shared/data/mnist"))) {
                return p.resolve("shared/data");
            }
        }
        return null;
    }
}
