package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.DatasetSplit;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.ParameterRoles;
import dev.minnow.graph.StructureHash;
import dev.minnow.graph.Value;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.GraphBuilder;
import dev.minnow.zoo.Zoo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training-control seams used the way pruning, QAT and distillation will use them. */
class TrainingControlTest {
    @TempDir
    Path dir;

    private static final DatasetSplit DATA = TinyDataset.split(192, 60);

    private static Graph mlp() {
        return TestGraphs.mlp(1, 4, 4, 8, TinyDataset.CLASSES, 42);
    }

    private static Trainer trainer(Graph g) {
        return Trainer.of(g).optimizer(Optimizers.momentum(0.1, 0.9, true).weightDecay(1e-4)).epochs(2).batchSize(16).seed(7)
                .threads(1);
    }

    private static Map<String, float[]> snapshot(Graph g) {
        Map<String, float[]> r = new HashMap<>();
        g.floatInitializers().forEach((k, v) -> r.put(k, v.floats().clone()));
        return r;
    }

    @Test
    void aFrozenParameterDoesNotMoveWhileOthersDo() {
        Graph g = mlp();
        Map<String, float[]> before = snapshot(g);
        trainer(g).freeze("fc1.weight").fit(DATA);
        assertArrayEquals(before.get("fc1.weight"), g.initializers().get("fc1.weight").floats());
        for (String moved : List.of("fc1.bias", "fc2.weight", "fc2.bias")) {
            assertFalse(java.util.Arrays.equals(before.get(moved), g.initializers().get(moved).floats()), moved);
        }
        assertThrows(InvalidInputException.class, () -> trainer(mlp()).freeze("no.such").fit(DATA));
    }

    @Test
    void aGroupWithLearningRateMultiplierZeroBehavesLikeFrozen() {
        Graph frozen = mlp();
        Graph zeroLr = mlp();
        Graph plain = mlp();
        trainer(frozen).freeze("fc1.weight").fit(DATA);
        trainer(zeroLr).group(ParameterGroup.named("first", "fc1.weight").lrScale(0)).fit(DATA);
        trainer(plain).fit(DATA);
        for (String k : frozen.floatInitializers().keySet()) {
            assertArrayEquals(frozen.initializers().get(k).floats(), zeroLr.initializers().get(k).floats(), k);
        }
        assertFalse(java.util.Arrays.equals(plain.initializers().get("fc2.weight").floats(),
                zeroLr.initializers().get("fc2.weight").floats()), "freezing fc1 must change what fc2 learns");
    }

    @Test
    void defaultParametersAreWeightsNotSettingsAndNormsGetNoDecayInTheirGroup() {
        Graph g = Zoo.build("mobilenetv2-cifar", 1);
        Set<String> weights = ParameterRoles.weights(g);
        assertFalse(weights.contains("relu6.max"));
        assertFalse(weights.contains("relu6.min"));
        assertTrue(weights.stream().noneMatch(w -> w.endsWith(".running_mean") || w.endsWith(".running_var")));
        assertEquals(weights, new TrainingExecutor(g).parameterNames());
        Node bn = g.nodes().stream().filter(n -> n.opType().equals("BatchNormalization")).findFirst().orElseThrow();
        assertTrue(weights.contains(bn.input(1)) && weights.contains(bn.input(2)));
        assertFalse(weights.contains(bn.input(3)) || weights.contains(bn.input(4)));
        assertTrue(ParameterRoles.isNormOrScale(g, bn.input(1)));
        Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        assertFalse(ParameterRoles.isNormOrScale(g, conv.input(1)));
    }

    @Test
    void groupDecayMultiplierZeroRemovesWeightDecayOnly() {
        // with a zero gradient, one SGD step moves w by lr * decay * w; the group with decay 0 not at all
        Optimizer sgd = Optimizers.sgd(0.5).weightDecay(0.1);
        Map<String, Tensor> params = new java.util.LinkedHashMap<>();
        params.put("a", Tensor.of(Shape.of(2), 1f, -2f));
        params.put("b", Tensor.of(Shape.of(2), 1f, -2f));
        Map<String, Tensor> grads = Map.of("a", Tensor.zeros(Shape.of(2)), "b", Tensor.zeros(Shape.of(2)));
        sgd.step(params, grads, 0.5, p -> p.equals("b") ? new ParameterGroup.Scales(1, 0) : ParameterGroup.Scales.ONE);
        assertArrayEquals(new float[] {0.95f, -1.9f}, params.get("a").floats(), 1e-6f);
        assertArrayEquals(new float[] {1f, -2f}, params.get("b").floats());
    }

    @Test
    void masksHoldThroughMomentumAndWeightDecayAndTheCheckpointRoundTripsThem() {
        Graph g = mlp();
        float[] m = new float[8 * 16];
        for (int i = 0; i < m.length; i += 3) {
            m[i] = 1;
        }
        MaskConstraint mask = MaskConstraint.of(Map.of("fc1.weight", Tensor.of(Shape.of(8, 16), m)));
        Path ckpt = dir.resolve("run.ckpt");
        List<Long> hookSteps = new ArrayList<>();
        trainer(g).constraint(mask).gradientHook((p, grads, step) -> {
            // the mask hook ran first: masked gradients are zero before the optimizer sees them
            float[] gr = grads.get("fc1.weight").floats();
            for (int i = 0; i < gr.length; i++) {
                assertTrue(m[i] != 0 || gr[i] == 0);
            }
            hookSteps.add(step);
        }).checkpointPath(ckpt).fit(DATA);
        float[] w = g.initializers().get("fc1.weight").floats();
        int kept = 0;
        for (int i = 0; i < w.length; i++) {
            if (m[i] == 0) {
                assertEquals(0f, w[i], "masked weight " + i);
            } else {
                kept += w[i] != 0 ? 1 : 0;
            }
        }
        assertTrue(kept > 30, "unmasked weights trained: " + kept);
        assertEquals(0L, hookSteps.get(0));
        assertEquals(hookSteps.size() - 1, hookSteps.get(hookSteps.size() - 1));

        Checkpoint c = Checkpoint.read(ckpt);
        assertEquals(StructureHash.of(g), c.graphHash());
        assertArrayEquals(m, c.constraintState().get("0/fc1.weight").floats());

        // resuming loads the saved masks into the constraint given to the new run
        MaskConstraint fresh = MaskConstraint.of(Map.of("fc1.weight", Tensor.of(Shape.of(8, 16), new float[8 * 16])));
        Graph again = mlp();
        trainer(again).epochs(3).constraint(fresh).resumeFrom(ckpt).fit(DATA);
        assertArrayEquals(m, fresh.masks().get("fc1.weight").floats());

        // a different graph (another hidden width) is refused with a clear message
        Graph other = TestGraphs.mlp(1, 4, 4, 9, TinyDataset.CLASSES, 42);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> trainer(other).epochs(3).resumeFrom(ckpt).fit(DATA));
        assertTrue(e.getMessage().contains("different graph"), e.getMessage());
    }

    @Test
    void versionOneCheckpointsAreStillRead() {
        Checkpoint c = new Checkpoint(Map.of("w", Tensor.of(Shape.of(2), 1f, 2f)), "sgd", Map.of(), 3, 1, 10, "x");
        Checkpoint back = Checkpoint.fromBytes(c.toBytes(1));
        assertEquals("", back.graphHash());
        assertTrue(back.constraintState().isEmpty());
        assertArrayEquals(new float[] {1f, 2f}, back.parameters().get("w").floats());
        back.requireGraph("anything", "v1"); // no hash: accepted
        Checkpoint v2 = new Checkpoint(c.parameters(), "sgd", Map.of(), 3, 1, 10, "x", "ab".repeat(32),
                Map.of("0/w", Tensor.of(Shape.of(2), 1f, 0f)));
        Checkpoint back2 = Checkpoint.fromBytes(v2.toBytes());
        assertEquals(v2.graphHash(), back2.graphHash());
        assertArrayEquals(new float[] {1f, 0f}, back2.constraintState().get("0/w").floats());
    }

    @Test
    void regularizerPenaltyIsReportedApartFromTheLoss() {
        List<Double> penalties = new ArrayList<>();
        trainer(mlp()).regularizer(Regularizer.l1(1e-3, "fc1.weight")).listener(new TrainListener() {
            @Override
            public void onBatch(BatchProgress p) {
                penalties.add(p.penalty());
            }
        }).fit(DATA);
        assertTrue(penalties.stream().allMatch(p -> p > 0), penalties.toString());
    }

    @Test
    void aTapReturnsTheActivationTheExecutorComputes() {
        Graph g = Zoo.build("lenet5", 3);
        String tap = g.nodes().get(2).output(0);
        Tensor x = TestGraphs.random(new SplittableRandom(1), 1, 2, 1, 28, 28);
        TrainingExecutor ex = new TrainingExecutor(g);
        for (boolean training : new boolean[] {false, true}) {
            Map<String, Tensor> out = ex.forward(Map.of(g.inputs().get(0).name(), x), training, 5, Set.of(tap));
            Graph truncated = g.copy();
            truncated.setOutputs(List.of(new Value(tap, g.type(tap))));
            new GraphEditor(truncated).removeUnused();
            Tensor expected = InferenceExecutor.of(truncated).run(x);
            assertEquals(expected.shape(), out.get(tap).shape());
            assertArrayEquals(expected.floats(), out.get(tap).floats(), 1e-4f, "training=" + training);
            if (training) {
                ex.backward(Map.of(tap, Tensor.zeros(out.get(tap).shape()))); // a tapped value takes a gradient
            }
        }
        assertThrows(InvalidInputException.class, () -> ex.forward(Map.of(g.inputs().get(0).name(), x), false, 0, Set.of("nope")));
    }

    @Test
    void aHintLossGradientMatchesCentralDifferences() {
        GraphBuilder sb = GraphBuilder.named("student", 11);
        Value s = sb.input("image", Shape.of(-1, 2, 5, 5));
        Value sMid = sb.conv(s, 3, 3, 1, 1);
        sb.output("logits", sb.dense(sb.flatten(sb.conv(sMid, 2, 1)), 3));
        Graph student = sb.build();
        GraphBuilder tb = GraphBuilder.named("teacher", 12);
        Value t = tb.input("image", Shape.of(-1, 2, 5, 5));
        Value tMid = tb.conv(t, 4, 3, 1, 1);
        tb.output("logits", tb.dense(tb.flatten(tMid), 3));
        Graph teacher = tb.build();

        Objective hint = Objectives.hint(sMid.name(), tMid.name(), 0.7);
        Graph training = Trainer.sharingWeights(student);
        hint.extend(new GraphEditor(training), teacher, 5);
        assertEquals(student.nodes().size() + 1, training.validate().nodes().size());
        assertEquals(student.initializers().size(), student.validate().initializers().size(), "student graph unchanged");
        TrainingExecutor ex = new TrainingExecutor(training);
        TrainingExecutor tex = new TrainingExecutor(teacher, Set.of());
        Tensor x = TestGraphs.random(new SplittableRandom(2), 1, 2, 2, 5, 5);
        Map<String, Tensor> feeds = Map.of("image", x);
        Map<String, Tensor> tv = tex.forward(feeds, false, 0, hint.teacherValues());
        java.util.function.Supplier<ObjectiveValue> eval = () -> hint.compute(new ObjectiveInputs(
                ex.forward(feeds, false, 0, hint.studentValues()), "logits", tv, "logits", Targets.labels(0, 1)));

        ObjectiveValue v = hint.compute(new ObjectiveInputs(ex.forward(feeds, true, 0, hint.studentValues()), "logits", tv,
                "logits", Targets.labels(0, 1)));
        Map<String, Tensor> grads = ex.backward(v.gradients());
        String adapter = training.initializers().keySet().stream().filter(k -> k.startsWith("hint_adapter")).findFirst().orElseThrow();
        String conv = student.nodes().get(0).input(1);
        assertFalse(grads.containsKey("fc1.weight"), "the hint does not reach the head");
        int checked = 0;
        for (String p : List.of(adapter, conv, student.nodes().get(0).input(2))) {
            float[] w = training.initializers().get(p).floats();
            float[] gr = grads.get(p).floats();
            for (int i = 0; i < w.length; i += Math.max(1, w.length / 7)) {
                float saved = w[i];
                double eps = 1e-2;
                w[i] = (float) (saved + eps);
                double lp = eval.get().loss();
                w[i] = (float) (saved - eps);
                double lm = eval.get().loss();
                w[i] = saved;
                double numeric = (lp - lm) / (2 * eps);
                assertEquals(numeric, gr[i], 2e-3 + 2e-2 * Math.abs(numeric), p + "[" + i + "]");
                checked++;
            }
        }
        assertTrue(checked > 15);
    }

    @Test
    void aTeacherAndAStudentTrainInOneLoopWithAHintAndTheAdapterIsNeverExported() {
        GraphBuilder sb = GraphBuilder.named("student", 11);
        Value s = sb.input("image", Shape.of(-1, 1, 4, 4));
        Value mid = sb.relu(sb.conv(s, 2, 3, 1, 1));
        sb.output("logits", sb.dense(sb.flatten(mid), TinyDataset.CLASSES));
        Graph student = sb.build();
        GraphBuilder tb = GraphBuilder.named("conv-teacher", 13);
        Value tin = tb.input("image", Shape.of(-1, 1, 4, 4));
        Value tmid = tb.relu(tb.conv(tin, 3, 3, 1, 1));
        tb.output("logits", tb.dense(tb.flatten(tmid), TinyDataset.CLASSES));
        Graph convTeacher = tb.build();
        Trainer.of(convTeacher).optimizer(Optimizers.adam(0.02)).epochs(3).batchSize(16).seed(1).threads(1).fit(DATA);
        String before = StructureHash.of(student);
        Objective hint = Objectives.hint(mid.name(), tmid.name(), 0.5);
        TrainResult r = Trainer.of(student).teacher(convTeacher)
                .objective(Objectives.sum(Objectives.loss(Losses.weighted(Losses.klDivergence(2), 0.5, Losses.crossEntropy(), 0.5)), hint))
                .optimizer(Optimizers.adam(0.02)).epochs(4).batchSize(16).seed(2).threads(1).fit(DATA);
        assertEquals(before, StructureHash.of(student), "the adapter is not part of the student graph");
        assertTrue(student.initializers().keySet().stream().noneMatch(k -> k.startsWith("hint_adapter")));
        assertTrue(r.epochs().get(r.epochs().size() - 1).testTop1() > 0.9, r.epochs().toString());
    }

    @Test
    void aLearnableClipValueReceivesAGradientAndMoves() {
        GraphBuilder b = GraphBuilder.named("pact", 3);
        Value x = b.flatten(b.input("image", Shape.of(-1, 1, 4, 4)));
        x = b.relu6(b.dense(x, 8));
        b.output("logits", b.dense(x, TinyDataset.CLASSES));
        Graph g = b.build();
        g.initializers().put("relu6.max", Tensor.scalar(0.3f));
        assertFalse(new TrainingExecutor(g).parameterNames().contains("relu6.max"), "a setting by default");

        TrainingExecutor ex = new TrainingExecutor(g, Set.of("fc1.weight", "relu6.max"));
        Tensor in = TestGraphs.random(new SplittableRandom(4), 2, 4, 1, 4, 4);
        float[] w = TestGraphs.random(new SplittableRandom(5), 1, 4, 3).floats();
        ex.forward(in, true, 0);
        Map<String, Tensor> grads = ex.backward(Tensor.of(Shape.of(4, 3), w));
        float[] alpha = g.initializers().get("relu6.max").floats();
        double numeric = TestGraphs.numericDerivative(() -> ex.forward(in, false, 0), w, alpha, 0, 1e-3);
        assertNotEquals(0.0, numeric);
        assertEquals(numeric, grads.get("relu6.max").floats()[0], 1e-3 + 1e-2 * Math.abs(numeric));

        trainer(g).learnable("relu6.max").fit(DATA);
        assertNotEquals(0.3f, g.initializers().get("relu6.max").floats()[0]);
        assertEquals(Shape.scalar(), g.initializers().get("relu6.max").shape(), "exported as the same initializer");
    }
}
