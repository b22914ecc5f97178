package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;

/**
 * ONNX AveragePool (opset 19+): mean over each window; the divisor counts padded positions
 * only when count_include_pad = 1 (default 0).
 */
public final class AveragePoolOp extends PoolOp {
    private final boolean countIncludePad;

    public AveragePoolOp(Attributes attrs) {
        super("AveragePool", attrs);
        long c = this.attrs.getInt("count_include_pad", 0);
        if (c != 0 && c != 1) {
            throw unsupported("count_include_pad", c, "0 or 1");
        }
        this.countIncludePad = c == 1;
    }

    @Override
    void kernelForward(PoolGeometry g, float[] x, float[] y) {
        Pool.avgForward(g, x, y, countIncludePad);
    }

    @Override
    void kernelBackward(PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx) {
        Pool.avgBackward(g, dy, dx, countIncludePad);
    }
}
