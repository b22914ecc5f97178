package dev.minnow.infer.spi;

import dev.minnow.tensor.Tensor;

/**
 * Runs one node of an inference graph. Made once by a {@link KernelProvider} when the executor
 * is built, so whatever can be prepared ahead (packed weights, a chosen algorithm) lives here;
 * called once per run, one run at a time per executor (the kernel may keep per-run scratch).
 */
public interface Kernel {
    /**
     * Computes the node's outputs. inputs[i] is the node's input i (null when absent); outputs has
     * one slot per node output, to be filled (a slot left null: that output is not computed).
     * buffer, when not null, is storage this kernel may write output 0 into if its length is
     * exactly output 0's element count: a planned buffer ({@link #plansOutput}) or the storage of
     * an input that dies here ({@link #overwritesInput}). Inputs must not be written otherwise.
     */
    void run(Tensor[] inputs, float[] buffer, Tensor[] outputs);

    /** Whether output 0 (float32) should get a buffer planned by liveness, reused across runs. */
    default boolean plansOutput() {
        return false;
    }

    /**
     * Whether output element i depends only on element i of the inputs, so output 0 may be written
     * over the storage of an input of the same size that no later step reads.
     */
    default boolean overwritesInput() {
        return false;
    }

    /**
     * Whether every output is storage this kernel allocated or was given as buffer (never an
     * input, a view of one, or a cached tensor), so the executor may later reuse it.
     */
    default boolean freshOutputs() {
        return false;
    }
}
