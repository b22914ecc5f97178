package dev.minnow.graph;

/**
 * What one node costs in one forward pass at batch 1 (docs/COST.md): multiply-accumulates,
 * learnable parameters it holds, and bytes of the tensors it reads and writes at their
 * element types.
 *
 * @param macs multiply-accumulates of the op's contractions (conv, dense, matmul, attention,
 *     recurrent cells, interpolation); element-wise ops, pooling and normalization have 0
 * @param params elements of the floating WEIGHT and BIAS inputs (see {@link InputRole})
 * @param bytesRead sum over input slots of elements x element size (initializers included)
 * @param bytesWritten sum over outputs of elements x element size
 */
public record OpCost(long macs, long params, long bytesRead, long bytesWritten) {
    public static final OpCost ZERO = new OpCost(0, 0, 0, 0);

    /** Floating-point operations: two per MAC (one multiply, one add), the roofline convention. */
    public long flops() {
        return 2 * macs;
    }

    public long bytesMoved() {
        return bytesRead + bytesWritten;
    }

    /**
     * Roofline arithmetic intensity in FLOPs per byte moved: {@code 2 * macs / (bytesRead +
     * bytesWritten)}, 0 when nothing moves. Ops without MACs (element-wise, pooling, data
     * movement) have intensity 0: they are bound by memory bandwidth.
     */
    public double arithmeticIntensity() {
        long b = bytesMoved();
        return b == 0 ? 0 : (double) flops() / b;
    }

    public OpCost plus(OpCost o) {
        return new OpCost(macs + o.macs, params + o.params, bytesRead + o.bytesRead, bytesWritten + o.bytesWritten);
    }
}
