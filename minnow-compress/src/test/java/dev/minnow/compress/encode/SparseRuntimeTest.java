package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.graph.Graph;
import dev.minnow.infer.ExecutionOptions;
import dev.minnow.infer.InferenceExecutor;
import dev.minnow.infer.SparseMode;
import dev.minnow.infer.kernels.SparseKernels;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.zoo.Zoo;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A 90%-pruned LeNet-300-100 gives the same outputs through the sparse kernels as through the dense ones. */
class SparseRuntimeTest {
    @Test
    void prunedLenet300GivesTheDenseOutputsThroughTheSparsePath() {
        Graph pruned = MagnitudePruning.layerwise(0.9).prune(Zoo.build("lenet-300-100", 1)).graph();
        InferenceExecutor dense = InferenceExecutor.of(pruned, ExecutionOptions.builder().sparse(SparseMode.OFF).build());
        InferenceExecutor auto = InferenceExecutor.of(pruned, ExecutionOptions.DEFAULT);
        long claimed = auto.kernels().stream().filter(k -> k instanceof SparseKernels.SparseKernel).count();
        assertEquals(3, claimed, "sparse=auto: all three 90%-sparse fully connected layers go to the sparse provider");
        for (var k : auto.kernels()) {
            if (k instanceof SparseKernels.SparseKernel s) {
                assertEquals(0.9, s.weightSparsity(), 0.01);
                assertTrue(s.runsSparse(64), "90% is above the batched fully connected crossover");
            }
        }
        // sparse=on: the sparse kernels at every batch (auto may pick dense for one image near 90%)
        InferenceExecutor sparse = InferenceExecutor.of(pruned, ExecutionOptions.builder().sparse(SparseMode.ON).build());
        for (int batch : new int[] {1, 64}) {
            SplittableRandom rnd = new SplittableRandom(batch);
            float[] px = new float[batch * 784];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) rnd.nextDouble(); // pixel-like values in [0, 1)
            }
            Tensor x = Tensor.of(Shape.of(batch, 1, 28, 28), px);
            float[] want = dense.run(x).floats();
            float[] got = sparse.run(x).floats();
            float[] viaAuto = auto.run(x).floats();
            assertEquals(batch * 10, got.length);
            double max = 0;
            for (float v : want) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 1e-3, "logits are not all zero: " + max); // fresh zoo weights pruned to 10% give logits near 0.02
            for (int i = 0; i < want.length; i++) {
                // float sums of up to 784 products in another order: 1e-5 of the largest logit
                assertEquals(want[i], got[i], 1e-5 * max, "batch " + batch + " logit " + i);
                assertEquals(want[i], viaAuto[i], 1e-5 * max, "sparse=auto, batch " + batch + " logit " + i);
            }
            for (int b = 0; b < batch; b++) {
                assertEquals(argmax(want, b * 10), argmax(got, b * 10), "class of image " + b);
            }
        }
    }

    private static int argmax(float[] v, int off) {
        int best = 0;
        for (int i = 1; i < 10; i++) {
            if (v[off + i] > v[off + best]) {
                best = i;
            }
        }
        return best;
    }
}
