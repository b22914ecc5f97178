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
 * shape, written over a dying input when the executor offers one; other shapes run the op.
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
                out[0] = op.forward(OpContext.inference(), in)[0]; // broadcasting: the op's loops
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
