package dev.minnow.infer.kernels;

import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.ops.nn.FusedAddOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.Eltwise;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/**
 * Float Add and FusedAdd (add, then clamp) as one vector loop when both inputs have the same
 * shape, written over a dying input when the executor offers one; a per-channel constant
 * ([1, C, 1, 1], what a removed residual block leaves) as one loop per channel plane; other
 * shapes run the op.
 */
public final class AddKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        String t = r.opType();
        if (!(t.equals("Add") || t.equals(FusedAddOp.TYPE)) || r.channelLast() || r.node().inputs().size() != 2
                || !r.isFloat(0) || !r.isFloat(1)) {
            return null;
        }
        boolean clamp = r.node().op() instanceof FusedAddOp;
        float lo = r.node().op() instanceof FusedAddOp f ? f.min() : 0;
        float hi = r.node().op() instanceof FusedAddOp f ? f.max() : 0;
        return new Add(r.node().op(), clamp, lo, hi);
    }

    private record Add(Op op, boolean clamp, float lo, float hi) implements Kernel {
        @Override
        public void run(Tensor[] in, float[] buffer, Tensor[] out) {
            Tensor a = in[0];
            Tensor b = in[1];
            if (!a.shape().equals(b.shape())) {
                Tensor full = perChannel(a, b) ? a : perChannel(b, a) ? b : null;
                if (full == null) {
                    out[0] = op.forward(OpContext.inference(), in)[0]; // other broadcasting: the op's loops
                    return;
                }
                Tensor k = full == a ? b : a;
                int[] d = full.shape().dims();
                float[] y = Floats.target(buffer, full.floats().length);
                Eltwise.addPerChannel(full.floats(), k.floats(), y, d[0], d[1], full.floats().length / (d[0] * d[1]),
                        clamp ? lo : Float.NEGATIVE_INFINITY, clamp ? hi : Float.POSITIVE_INFINITY);
                out[0] = Tensor.wrap(DType.FLOAT32, full.shape(), y);
                return;
            }
            float[] y = Floats.target(buffer, a.floats().length);
            if (clamp) {
                Eltwise.addClamp(a.floats(), b.floats(), y, y.length, lo, hi);
            } else {
                Eltwise.add(a.floats(), b.floats(), y, y.length);
            }
            out[0] = Tensor.wrap(DType.FLOAT32, a.shape(), y);
        }

        /** Whether k is one value per channel of x ([N, C, ...] against [1, C, 1, ...] or [C, 1, ...]). */
        private static boolean perChannel(Tensor x, Tensor k) {
            int r = x.shape().rank();
            int kr = k.shape().rank();
            if (r < 3 || kr > r || kr < r - 1 || x.shape().dim(0) < 1) {
                return false;
            }
            int c = x.shape().dim(1);
            int off = r - kr; // numpy broadcasting aligns from the right
            for (int i = 0; i < kr; i++) {
                int axis = i + off;
                int want = axis == 1 ? c : 1;
                if (k.shape().dim(i) != want) {
                    return false;
                }
            }
            return k.size() == c && x.size() > 0;
        }

        @Override
        public boolean overwritesInput() {
            return true;
        }

        @Override
        public boolean freshOutputs() {
            return true;
        }
    }
}
