package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormDropoutSoftmaxTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    private static Tensor vec(float... v) {
        return Tensor.of(Shape.of(v.length), v);
    }

    @Test
    void batchNormInferenceUsesRunningStatistics() {
        // x per channel: ch0 {1, 3}, ch1 {2, 4}; mean (1, 2), var (4, 1), scale (2, 1), bias (0, 1), eps 0
        Tensor x = Tensor.of(Shape.of(2, 2, 1), 1, 2, 3, 4);
        Tensor y = op("BatchNormalization", "epsilon", 0f).forward(OpContext.inference(),
                new Tensor[] {x, vec(2, 1), vec(0, 1), vec(1, 2), vec(4, 1)})[0];
        assertArrayEquals(new float[] {0, 1, 2, 3}, y.floats(), 1e-6f);
    }

    @Test
    void batchNormTrainingUsesBatchStatisticsAndRequestsTheRunningOnes() {
        Tensor x = Tensor.of(Shape.of(2, 1, 2), 1, 3, 5, 7); // mean 4, population var 5
        Tensor mean = vec(0);
        Tensor var = vec(1);
        OpContext ctx = OpContext.training(1);
        Tensor[] out = op("BatchNormalization", "epsilon", 0f, "momentum", 0.75f).forward(ctx,
                new Tensor[] {x, vec(1), vec(0), mean, var});
        float s = (float) Math.sqrt(5);
        assertArrayEquals(new float[] {-3 / s, -1 / s, 1 / s, 3 / s}, out[0].floats(), 1e-6f);
        assertEquals(0.25f * 4, out[1].floats()[0], 1e-6f);
        assertEquals(0.75f + 0.25f * 5, out[2].floats()[0], 1e-6f);
        assertEquals(0f, mean.floats()[0], "the op does not modify its inputs");
        assertEquals(1f, var.floats()[0], "the op does not modify its inputs");
        assertEquals(1f, ctx.stateUpdates().get(0).values()[0], 1e-6f, "running mean requested for the executor");
        assertEquals(2f, ctx.stateUpdates().get(1).values()[0], 1e-6f, "running var requested for the executor");
        assertEquals(4f, out[3].floats()[0], 1e-6f, "opset 9-13 saved_mean: the batch mean");
        assertEquals(5f, out[4].floats()[0], 1e-6f, "opset 9-13 saved_var: the batch variance");
        // attribute training_mode outside a training executor: batch statistics, inputs untouched
        Tensor m2 = vec(0);
        Tensor[] o2 = op("BatchNormalization", "epsilon", 0f, "training_mode", 1).forward(OpContext.inference(),
                new Tensor[] {x, vec(1), vec(0), m2, vec(1)});
        assertArrayEquals(out[0].floats(), o2[0].floats(), 1e-6f);
        assertEquals(0.1f * 4, o2[1].floats()[0], 1e-6f);
        assertEquals(0f, m2.floats()[0]);
    }

    @Test
    void batchNormGradientsInBothModes() {
        SplittableRandom r = new SplittableRandom(8);
        for (int trainingMode = 0; trainingMode < 2; trainingMode++) {
            GradCheck.check(op("BatchNormalization", "training_mode", trainingMode), bnInputs(r), 0, 1, 2, 3, 4);
        }
        // the training executor's mode (batch statistics, running ones requested as state updates)
        GradCheck.check(op("BatchNormalization"), bnInputs(r), new int[] {0, 1, 2}, true, GradCheck.EPS, GradCheck.TOL);
        // and it has the same gradients for X, scale and B as training_mode = 1
        Tensor[] in = bnInputs(r);
        Tensor[] dy = {GradCheck.random(r, 4, 3, 2, 2), null, null};
        Op viaAttr = op("BatchNormalization", "training_mode", 1);
        OpContext c1 = OpContext.inference();
        Tensor[] o1 = viaAttr.forward(c1, in);
        Tensor[] g1 = viaAttr.backward(c1, in, o1, dy);
        Op plain = op("BatchNormalization");
        OpContext c2 = OpContext.training(1);
        Tensor[] o2 = plain.forward(c2, in);
        Tensor[] g2 = plain.backward(c2, in, o2, dy);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(g1[i].floats(), g2[i].floats(), 1e-6f);
        }
        assertEquals(null, g2[3], "no gradient reaches the running mean when its output is unused");
    }

    private static Tensor[] bnInputs(SplittableRandom r) {
        Tensor var = GradCheck.random(r, 3);
        for (int i = 0; i < 3; i++) {
            var.floats()[i] = 0.5f + Math.abs(var.floats()[i]);
        }
        return new Tensor[] {GradCheck.random(r, 4, 3, 2, 2), GradCheck.random(r, 3), GradCheck.random(r, 3),
                GradCheck.random(r, 3), var};
    }

    @Test
    void dropoutInferenceIsIdentityTrainingDropsAndScales() {
        SplittableRandom r = new SplittableRandom(9);
        Tensor x = GradCheck.random(r, 1000);
        Tensor[] inf = op("Dropout").forward(OpContext.inference(), new Tensor[] {x});
        assertArrayEquals(x.floats(), inf[0].floats());
        Tensor[] tr = op("Dropout").forward(OpContext.training(3), new Tensor[] {x, Tensor.scalar(0.2f)});
        assertEquals(DType.BOOL, tr[1].dtype());
        int kept = 0;
        for (int i = 0; i < 1000; i++) {
            if (tr[1].bytes()[i] != 0) {
                kept++;
                assertEquals(x.floats()[i] / 0.8f, tr[0].floats()[i], 1e-6f);
            } else {
                assertEquals(0f, tr[0].floats()[i]);
            }
        }
        assertTrue(kept > 740 && kept < 860, "kept " + kept + " of 1000 at ratio 0.2");
        // a true training_mode input turns dropout on without a training executor
        Tensor[] tm = op("Dropout").forward(OpContext.inference(), new Tensor[] {x, null,
                Tensor.wrap(DType.BOOL, Shape.scalar(), new byte[] {1})});
        assertTrue(tm[0].floats()[0] == 0 || tm[0].floats()[0] == 2 * x.floats()[0]);
        GradCheck.check(op("Dropout", "ratio", 0.3f), new Tensor[] {GradCheck.random(r, 40)}, new int[] {0}, true, 1e-2, 2e-2);
        assertThrows(UnsupportedOpException.class, () -> op("Dropout", "ratio", 1.5f));
    }

    @Test
    void softmaxHandCaseAndAxes() {
        Tensor x = Tensor.of(Shape.of(2, 2), 0, (float) Math.log(3), 1000, 1000);
        assertArrayEquals(new float[] {0.25f, 0.75f, 0.5f, 0.5f}, op("Softmax").forward(null, new Tensor[] {x})[0].floats(), 1e-6f);
        assertArrayEquals(new float[] {(float) Math.log(0.25), (float) Math.log(0.75), (float) Math.log(0.5), (float) Math.log(0.5)},
                op("LogSoftmax").forward(null, new Tensor[] {x})[0].floats(), 1e-5f);
        Tensor y0 = op("Softmax", "axis", 0).forward(null, new Tensor[] {Tensor.of(Shape.of(2, 2), 0, 0, (float) Math.log(3), 0)})[0];
        assertArrayEquals(new float[] {0.25f, 0.5f, 0.75f, 0.5f}, y0.floats(), 1e-6f);
    }

    @Test
    void softmaxGradients() {
        SplittableRandom r = new SplittableRandom(10);
        GradCheck.check(op("Softmax", "axis", 1), new Tensor[] {GradCheck.random(r, 2, 3, 4)}, 0);
        GradCheck.check(op("LogSoftmax"), new Tensor[] {GradCheck.random(r, 2, 3, 4)}, 0);
        GradCheck.check(op("LogSoftmax", "axis", -3), new Tensor[] {GradCheck.random(r, 2, 3, 4)}, 0);
    }
}
