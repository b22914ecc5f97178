package dev.minnow.compress.quant.qat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.quant.qat.QatConfig.Method;
import dev.minnow.compress.quant.qat.QatConfig.WeightMode;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** QAT preparation, the quantizers' training hooks and the QDQ export, on zoo models with random data. */
class QatTest {
    static Tensor batch(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(Shape.of(shape));
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return t;
    }

    static float[] run(Graph g, Tensor x) {
        return InferenceExecutor.of(g, ExecutionOptions.DEFAULT).run(x).floats();
    }

    /** The QAT graph's own output, through the training executor (no inference rewrites). */
    static float[] qatOutput(Graph g, Tensor x) {
        TrainingExecutor ex = new TrainingExecutor(g, Set.of());
        return ex.forward(Map.of(g.inputs().get(0).name(), x), false, 0, Set.of()).get(g.outputs().get(0).name()).floats();
    }

    static long count(Graph g, String opType) {
        return g.nodes().stream().filter(n -> n.opType().equals(opType)).count();
    }

    static void assertClose(float[] want, float[] got, double tolerance, String what) {
        assertEquals(want.length, got.length);
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        assertTrue(worst <= tolerance * scale, what + ": largest difference " + worst + " vs output scale " + scale);
    }

    @Test
    void lenet5EveryMethodExportsToQdqThatComputesTheFakeQuantizedModel() {
        Graph lenet = Zoo.build("lenet5", 3);
        List<Tensor> calib = List.of(batch(1, 8, 1, 28, 28), batch(2, 8, 1, 28, 28));
        Tensor x = batch(7, 4, 1, 28, 28);
        QatConfig[] configs = {
            new QatConfig(8, 8, Method.MINMAX, WeightMode.UNIFORM),
            new QatConfig(4, 4, Method.LSQ, WeightMode.UNIFORM),
            new QatConfig(4, 4, Method.PACT, WeightMode.UNIFORM),
            new QatConfig(3, 4, Method.DOREFA, WeightMode.UNIFORM),
            new QatConfig(8, 8, Method.LSQ, WeightMode.BINARY),
            new QatConfig(8, 4, Method.MINMAX, WeightMode.TERNARY),
        };
        for (QatConfig c : configs) {
            QatPrepare.Result p = QatPrepare.prepare(lenet, c, calib);
            Graph q = p.graph();
            assertEquals(4, p.record().count("weights"), c.describe());
            assertEquals(4, p.record().count("activations"), c.describe());
            float[] fake = qatOutput(q, x);
            assertClose(fake, run(q, x), 1e-4, c.describe() + " inference executor on the QAT graph");
            QatExport.Exported ex = QatExport.export(q);
            Graph out = ex.graph();
            assertEquals(0, out.nodes().stream().filter(n -> n.domain().equals(OpRegistry.MINNOW_DOMAIN)).count(),
                    c.describe() + ": no dev.minnow op left");
            assertEquals(4, count(out, "QuantizeLinear"), c.describe());
            assertEquals(4 + 4 + 4, count(out, "DequantizeLinear"), c.describe() + ": weights, activations, int32 biases");
            assertEquals(4, ex.layers().size());
            ex.layers().forEach(l -> assertEquals(c.packedWeightBits(), l.bits(), l.node()));
            // biases are rounded to s_in * s_w: a few thousandths of the logits' scale at most
            assertClose(fake, run(out, x), 2e-3, c.describe() + " exported QDQ in Minnow");
            long floatBytes = lenet.initializers().values().stream().mapToLong(t -> (long) t.size() * 4).sum();
            assertTrue(ex.sizeBytes() < floatBytes / 3, c.describe() + ": " + ex.sizeBytes() + " of " + floatBytes);
        }
    }

    @Test
    void resnetBatchNormIsFoldedAndPactClipsEveryReluItQuantizes() {
        Graph r20 = Zoo.build("resnet20", 1);
        QatPrepare.Result p = QatPrepare.prepare(r20, new QatConfig(4, 4, Method.PACT, WeightMode.UNIFORM),
                List.of(batch(1, 2, 3, 32, 32)));
        Graph q = p.graph();
        assertEquals(0, count(q, "BatchNormalization"));
        assertEquals(count(r20, "Relu"), count(q, "Relu") + count(q, "Clip"));
        assertTrue(count(q, "Clip") > 0);
        List<String> alphas = p.learnable();
        assertFalse(alphas.isEmpty());
        alphas.forEach(a -> assertTrue(a.endsWith(QatPrepare.PACT_ALPHA), a));
        Tensor x = batch(3, 2, 3, 32, 32);
        float[] fake = qatOutput(q, x);
        QatExport.Exported ex = QatExport.export(q);
        assertClose(fake, run(ex.graph(), x), 5e-3, "resnet20 W4A4 PACT exported");
    }

    /** LSQ steps and PACT clips receive gradients through the graph and the constraint keeps them valid. */
    @Test
    void learnedStepsAndClipsGetGradients() {
        Graph lenet = Zoo.build("lenet5", 3);
        List<Tensor> calib = List.of(batch(1, 8, 1, 28, 28));
        for (Method m : List.of(Method.LSQ, Method.PACT)) {
            QatPrepare.Result p = QatPrepare.prepare(lenet, new QatConfig(4, 4, m, WeightMode.UNIFORM), calib);
            Graph q = p.graph();
            List<String> learn = p.learnable();
            assertEquals(m == Method.LSQ ? 8 : 1, learn.size(), m + ": " + learn);
            TrainingExecutor ex = new TrainingExecutor(q, Set.copyOf(learn));
            Tensor x = batch(5, 4, 1, 28, 28);
            String out = q.outputs().get(0).name();
            Map<String, Tensor> y = ex.forward(Map.of(q.inputs().get(0).name(), x), true, 0, Set.of());
            Map<String, Tensor> g = ex.backward(Map.of(out, y.get(out)));
            for (String name : learn) {
                Tensor grad = g.get(name);
                assertTrue(grad != null, m + ": no gradient for " + name);
                double norm = 0;
                for (float v : grad.floats()) {
                    norm += Math.abs(v);
                }
                assertTrue(norm > 0, m + ": zero gradient for " + name);
            }
            Tensor s = q.initializers().get(learn.get(0));
            s.floats()[0] = -1f;
            new QatConstraint(q).afterStep(Map.of(), 1);
            assertTrue(s.floats()[0] > 0, "kept positive");
        }
    }

    @Test
    void minmaxWeightStepsFollowTheWeights() {
        Graph lenet = Zoo.build("lenet5", 3);
        Graph q = QatPrepare.prepare(lenet, new QatConfig(4, 8, Method.MINMAX, WeightMode.UNIFORM),
                List.of(batch(1, 2, 1, 28, 28))).graph();
        Node fq = q.nodes().stream().filter(n -> n.opType().equals("FakeQuantize")
                && q.initializers().containsKey(n.input(0))).findFirst().orElseThrow();
        Tensor w = q.initializers().get(fq.input(0));
        float before = q.initializers().get(fq.input(1)).floats()[0];
        int inner = w.size() / w.shape().dim(0);
        for (int i = 0; i < inner; i++) {
            w.floats()[i] *= 2;
        }
        new QatConstraint(q).afterStep(Map.of(), 1);
        assertEquals(2 * before, q.initializers().get(fq.input(1)).floats()[0], 1e-6 * before);
    }

    @Test
    void badSettings() {
        assertThrows(InvalidInputException.class, () -> new QatConfig(1, 8, Method.LSQ, WeightMode.UNIFORM));
        assertThrows(InvalidInputException.class, () -> new QatConfig(4, 9, Method.LSQ, WeightMode.UNIFORM));
        assertThrows(InvalidInputException.class, () -> new QatConfig(8, 8, Method.DOREFA, WeightMode.UNIFORM));
        assertThrows(InvalidInputException.class,
                () -> QatPrepare.prepare(Zoo.build("lenet5", 1), new QatConfig(8, 8, Method.LSQ, WeightMode.UNIFORM), List.of()));
        assertNotEquals(null, new QatConfig(1, 8, Method.DOREFA, WeightMode.UNIFORM));
    }

    @Test
    void defaultRateIsTheFoldedNetworksRate() {
        // batch norm is folded before QAT: ResNet-20 gets the rate of a network without it
        assertEquals(0.001, QatTraining.defaultRate(dev.minnow.zoo.Zoo.build("resnet20", 1)), 1e-12);
        assertEquals(0.001, QatTraining.defaultRate(dev.minnow.zoo.Zoo.build("lenet5", 1)), 1e-12);
        assertEquals(0.01, QatTraining.defaultRate(dev.minnow.zoo.Zoo.build("lenet-300-100", 1)), 1e-12,
                "a recorded recipe rate still gives a fifth of it");
    }
}
