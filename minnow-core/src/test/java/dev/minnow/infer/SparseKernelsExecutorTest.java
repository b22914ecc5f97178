package dev.minnow.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.infer.kernels.SparseCrossover;
import dev.minnow.infer.kernels.SparseKernels;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sparse provider inside the executor: which nodes it claims under auto/on/off, and that the
 * sparse path gives the dense path's outputs (Gemm with transB 0 and 1, bias shapes, MatMul, Conv
 * stride 1 and 2, Conv + Relu fused) at batch 1 and a batch.
 */
class SparseKernelsExecutorTest {
    /** Values in [-1, 1) with a fraction `sparsity` of them (the smallest, as magnitude pruning keeps) set to zero. */
    private static Tensor pruned(SplittableRandom rnd, Shape s, double sparsity) {
        float[] v = new float[(int) s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        float[] abs = v.clone();
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(abs[i]);
        }
        java.util.Arrays.sort(abs);
        int cut = (int) Math.round(sparsity * v.length);
        float t = cut == 0 ? -1f : abs[cut - 1];
        for (int i = 0; i < v.length; i++) {
            if (Math.abs(v[i]) <= t) {
                v[i] = 0f;
            }
        }
        return Tensor.of(s, v);
    }

    /** x [N,3,9,9] -> conv 3x3 s1 p1 (8) -> relu -> conv 3x3 s2 (8) -> flatten -> Gemm transB (20) -> relu -> MatMul (12) -> Gemm (5, C [1,5]). */
    private static Graph net(double sparsity, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        OpRegistry reg = OpRegistry.global();
        Graph g = new Graph("sparse-net");
        g.addInput(new Value("x", TensorType.f32(-1, 3, 9, 9)));
        g.addInitializer("w1", pruned(rnd, Shape.of(8, 3, 3, 3), sparsity));
        g.addInitializer("b1", pruned(rnd, Shape.of(8), 0));
        g.addNode(new Node("conv1", reg.create("Conv", Attributes.of("kernel_shape", new long[] {3, 3},
                "pads", new long[] {1, 1, 1, 1})), List.of("x", "w1", "b1"), List.of("c1")));
        g.addNode(new Node("relu1", reg.create("Relu", new Attributes()), List.of("c1"), List.of("r1")));
        g.addInitializer("w2", pruned(rnd, Shape.of(8, 8, 3, 3), sparsity));
        g.addNode(new Node("conv2", reg.create("Conv", Attributes.of("kernel_shape", new long[] {3, 3},
                "strides", new long[] {2, 2})), List.of("r1", "w2"), List.of("c2")));
        g.addNode(new Node("flat", reg.create("Flatten", new Attributes()), List.of("c2"), List.of("f")));
        g.addInitializer("w3", pruned(rnd, Shape.of(20, 128), sparsity));
        g.addInitializer("b3", pruned(rnd, Shape.of(20), 0));
        g.addNode(new Node("fc1", reg.create("Gemm", Attributes.of("transB", 1L, "alpha", 0.5)), List.of("f", "w3", "b3"), List.of("h")));
        g.addNode(new Node("relu2", reg.create("Relu", new Attributes()), List.of("h"), List.of("r2")));
        g.addInitializer("w4", pruned(rnd, Shape.of(20, 12), sparsity));
        g.addNode(new Node("mm", reg.create("MatMul", new Attributes()), List.of("r2", "w4"), List.of("m")));
        g.addInitializer("w5", pruned(rnd, Shape.of(12, 5), sparsity));
        g.addInitializer("c5", pruned(rnd, Shape.of(1, 5), 0));
        g.addNode(new Node("fc2", reg.create("Gemm", Attributes.of("beta", 2.0)), List.of("m", "w5", "c5"), List.of("y")));
        g.addOutput(new Value("y", TensorType.f32(-1, 5)));
        return g.validate();
    }

    private static Tensor input(int batch) {
        SplittableRandom rnd = new SplittableRandom(batch);
        float[] v = new float[batch * 3 * 81];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextDouble(-1, 1);
        }
        return Tensor.of(Shape.of(batch, 3, 9, 9), v);
    }

    private static InferenceExecutor executor(Graph g, SparseMode mode) {
        return InferenceExecutor.of(g, ExecutionOptions.builder().sparse(mode).build());
    }

    private static long sparseKernels(InferenceExecutor e) {
        return e.kernels().stream().filter(k -> k instanceof SparseKernels.SparseKernel).count();
    }

    @Test
    void sparsePathGivesTheDensePathsOutputs() {
        Graph g = net(0.9, 1);
        InferenceExecutor dense = executor(g, SparseMode.OFF);
        InferenceExecutor sparse = executor(g, SparseMode.ON);
        assertEquals(0, sparseKernels(dense));
        assertEquals(5, sparseKernels(sparse), "conv1 (fused with relu1), conv2, fc1, mm, fc2");
        TrainingExecutor plain = new TrainingExecutor(g);
        for (int batch : new int[] {1, 3, 64}) {
            Tensor x = input(batch);
            float[] want = dense.run(x).floats();
            float[] got = sparse.run(x).floats();
            float[] ops = plain.forward(x, false, 0).floats();
            assertEquals(batch * 5, got.length);
            double max = 0;
            for (float v : want) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.1, "outputs are not all near zero: " + max);
            for (int i = 0; i < want.length; i++) {
                // a few hundred float products summed in another order: 1e-4 relative to the largest output
                assertEquals(want[i], got[i], 1e-4 * max, "batch " + batch + " at " + i);
                assertEquals(ops[i], got[i], 1e-4 * max, "op forward, batch " + batch + " at " + i);
            }
        }
    }

    @Test
    void autoClaimsOnlyLayersAboveTheirCrossover() {
        assertEquals(0, sparseKernels(executor(net(0.3, 2), SparseMode.AUTO)), "30% sparse: every layer dense");
        InferenceExecutor e = executor(net(0.97, 2), SparseMode.AUTO);
        assertEquals(5, sparseKernels(e), "97% sparse: above every crossover");
        for (var k : e.kernels()) {
            if (k instanceof SparseKernels.SparseKernel s) {
                assertTrue(s.weightSparsity() > 0.95);
                assertTrue(s.runsSparse(1) && s.runsSparse(64));
            }
        }
        // between the one-row and the batch crossover of a fully connected layer: claimed, sparse for one of them only
        double one = SparseCrossover.Kind.FC_ONE_ROW.threshold;
        double many = SparseCrossover.Kind.FC_BATCH.threshold;
        double mid = (one + many) / 2;
        InferenceExecutor m = executor(net(mid, 3), SparseMode.AUTO);
        SparseKernels.SparseKernel fc = m.kernels().stream().filter(k -> k instanceof SparseKernels.SparseKernel)
                .map(k -> (SparseKernels.SparseKernel) k).filter(k -> k.kind(1) == SparseCrossover.Kind.FC_ONE_ROW)
                .findFirst().orElseThrow();
        assertEquals(SparseCrossover.Kind.FC_BATCH, fc.kind(64));
        assertEquals(mid >= one, fc.runsSparse(1));
        assertEquals(mid >= many, fc.runsSparse(64));
        assertTrue(fc.runsSparse(1) != fc.runsSparse(64));
        Tensor x = input(64);
        float[] got = m.run(x).floats();
        float[] want = executor(net(mid, 3), SparseMode.OFF).run(x).floats();
        float[] got1 = m.run(input(1)).floats();
        float[] want1 = executor(net(mid, 3), SparseMode.OFF).run(input(1)).floats();
        for (int i = 0; i < want1.length; i++) {
            assertEquals(want1[i], got1[i], 1e-4, "batch 1 at " + i);
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4, "one side dense inside the sparse kernel, batch 64, at " + i);
        }
    }

    @Test
    void modeParsesAndRejectsUnknownWords() {
        assertEquals(SparseMode.ON, SparseMode.parse(" On"));
        assertEquals(SparseMode.AUTO, ExecutionOptions.DEFAULT.sparse());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SparseMode.parse("sometimes"));
        assertTrue(e.getMessage().contains("auto, on or off"));
    }
}
