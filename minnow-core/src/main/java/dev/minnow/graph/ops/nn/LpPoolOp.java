package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;

/** ONNX LpPool (opset 18+): (sum |x|^p)^(1/p) over each window, p an integer attribute (default 2). */
public final class LpPoolOp extends PoolOp {
    private final float p;

    public LpPoolOp(Attributes attrs) {
        super("LpPool", attrs);
        long pv = this.attrs.getInt("p", 2);
        if (pv < 1) {
            throw unsupported("p", pv, "an integer >= 1");
        }
        this.p = pv;
    }

    @Override
    void kernelForward(PoolGeometry g, float[] x, float[] y) {
        Pool.lpForward(g, x, y, p);
    }

    @Override
    void kernelBackward(PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx) {
        Pool.lpBackward(g, x, y, dy, dx, p);
    }
}
