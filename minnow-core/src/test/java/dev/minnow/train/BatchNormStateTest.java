package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.Value;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import dev.minnow.zoo.GraphBuilder;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization's running statistics: the op leaves its inputs alone and requests the new
 * values, the training executor stores them, and gradients through a training graph are right.
 */
class BatchNormStateTest {
    /** Channel ch of x [n, c, plane] holds ch * 1000 + k for k = 0 .. n * plane - 1, image-major. */
    private static Tensor ramp(int n, int c, int plane) {
        float[] v = new float[n * c * plane];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int p = 0; p < plane; p++) {
                    v[(b * c + ch) * plane + p] = ch * 1000 + b * plane + p;
                }
            }
        }
        return Tensor.of(Shape.of(n, c, plane), v);
    }

    @Test
    void theOpLeavesItsInputsAloneAndRequestsTheNewRunningStatistics() {
        // planes of 37 floats, so the vector body of the statistics sums runs; a ramp of count
        // values has mean ch * 1000 + (count - 1) / 2 and population variance (count^2 - 1) / 12
        int n = 3;
        int c = 2;
        int plane = 37;
        int count = n * plane;
        Tensor x = ramp(n, c, plane);
        Tensor mean = Tensor.of(Shape.of(c), 1, -2);
        Tensor var = Tensor.of(Shape.of(c), 3, 0.5f);
        Tensor[] in = {x, Tensor.of(Shape.of(c), 1, 1), Tensor.of(Shape.of(c), 0, 0), mean, var};
        Tensor[] before = {x.copy(), in[1].copy(), in[2].copy(), mean.copy(), var.copy()};
        Op bn = OpRegistry.global().create("BatchNormalization", Attributes.of("momentum", 0.75f));
        OpContext ctx = OpContext.training(1);
        Tensor[] out = bn.forward(ctx, in);
        for (int i = 0; i < in.length; i++) {
            assertTrue(in[i].contentEquals(before[i]), "input " + i + " is unchanged");
        }
        double batchVar = ((double) count * count - 1) / 12;
        float[] wantMean = {(float) (0.75 * 1 + 0.25 * ((count - 1) / 2.0)), (float) (0.75 * -2 + 0.25 * (1000 + (count - 1) / 2.0))};
        float[] wantVar = {(float) (0.75 * 3 + 0.25 * batchVar), (float) (0.75 * 0.5 + 0.25 * batchVar)};
        assertEquals(2, ctx.stateUpdates().size());
        assertEquals(3, ctx.stateUpdates().get(0).input());
        assertEquals(4, ctx.stateUpdates().get(1).input());
        assertArrayEquals(wantMean, ctx.stateUpdates().get(0).values(), 1e-3f);
        assertArrayEquals(wantVar, ctx.stateUpdates().get(1).values(), 1e-3f);
        assertArrayEquals(wantMean, out[1].floats(), 1e-3f);
        assertArrayEquals(wantVar, out[2].floats(), 1e-3f);
        // outside training nothing is requested
        OpContext inference = OpContext.inference();
        bn.forward(inference, in);
        assertEquals(0, inference.stateUpdates().size());
    }

    @Test
    void theTrainingExecutorStoresTheRunningStatistics() {
        int n = 4;
        int c = 3;
        GraphBuilder b = GraphBuilder.named("bn-state", 1);
        Value y = b.batchNorm(b.input("x", Shape.of(-1, c, 5, 7)));
        b.output("y", y);
        Graph g = b.build();
        String meanName = name(g, ".mean");
        String varName = name(g, ".var");
        Tensor x = ramp(n, c, 35).reshape(Shape.of(n, c, 5, 7));
        TrainingExecutor ex = new TrainingExecutor(g);
        ex.forward(x, true, 1);
        ex.forward(x, true, 2);
        // two steps from mean 0, var 1 with momentum 0.9: 0.19 * batch mean, 0.81 + 0.19 * batch variance
        int count = n * 35;
        double batchVar = ((double) count * count - 1) / 12;
        float[] m = g.initializers().get(meanName).floats();
        float[] v = g.initializers().get(varName).floats();
        for (int ch = 0; ch < c; ch++) {
            assertEquals(0.19 * (ch * 1000 + (count - 1) / 2.0), m[ch], 1e-3 * (1 + ch * 1000), "running mean " + ch);
            assertEquals(0.81 + 0.19 * batchVar, v[ch], 1e-3 * batchVar, "running var " + ch);
        }
        // inference leaves them where training put them
        float[] m2 = m.clone();
        ex.forward(x, false, 3);
        assertArrayEquals(m2, g.initializers().get(meanName).floats());
    }

    @Test
    void gradientsThroughConvAndBatchNormInATrainingGraph() {
        // batch statistics in the executor's training mode; the running-statistics updates each
        // forward makes do not change the outputs, so finite differences of the forward hold
        GraphBuilder b = GraphBuilder.named("conv-bn", 3);
        Value h = b.batchNorm(b.conv(b.input("x", Shape.of(-1, 4, 8, 8)), 5, 3, 1, 1));
        b.output("y", b.conv(h, 2, 3, 1, 1));
        Graph g = b.build();
        TrainingExecutor ex = new TrainingExecutor(g);
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = GradCheck.random(r, 3, 4, 8, 8);
        Tensor out = ex.forward(x, true, 7);
        float[] w = GradCheck.random(r, out.shape().dims()).floats();
        Map<String, Tensor> grads = ex.backward(Tensor.of(out.shape(), w.clone()));
        int checked = 0;
        for (Map.Entry<String, Tensor> e : ex.parameters().entrySet()) {
            Tensor grad = grads.get(e.getKey());
            if (e.getKey().endsWith(".mean") || e.getKey().endsWith(".var")) {
                assertEquals(null, grad, "no gradient for " + e.getKey());
                continue;
            }
            float[] p = e.getValue().floats();
            for (int i = 0; i < p.length; i += 1 + p.length / 40) {
                double numeric = TestGraphs.numericDerivative(() -> ex.forward(x, true, 7), w, p, i, 1e-2);
                double analytic = grad.floats()[i];
                assertTrue(Math.abs(analytic - numeric) <= GradCheck.TOL * Math.max(GradCheck.FLOOR,
                        Math.max(Math.abs(analytic), Math.abs(numeric))),
                        e.getKey() + "[" + i + "]: analytic " + analytic + " numeric " + numeric);
                checked++;
            }
        }
        assertTrue(checked > 60, "checked " + checked);
    }

    private static String name(Graph g, String suffix) {
        return g.initializers().keySet().stream().filter(k -> k.endsWith(suffix)).findFirst().orElseThrow();
    }
}
