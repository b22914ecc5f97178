package dev.minnow.infer.kernels;

import dev.minnow.graph.ops.nn.MaxPoolOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/** 2-D float MaxPool whose Indices output nobody reads: the pool kernel without argmax, into a planned buffer. */
public final class MaxPoolKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (!(r.node().op() instanceof MaxPoolOp op) || r.channelLast() || !r.isFloat(0)
                || r.inputType(0).shape().rank() != 4 || r.outputUsed(1)) {
            return null;
        }
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                PoolGeometry pg = op.geometry(in[0].shape());
                float[] y = Floats.target(buffer, pg.outputSize());
                Pool.maxForward(pg, in[0].floats(), y, null);
                out[0] = Tensor.wrap(DType.FLOAT32, op.outShape(in[0].shape()), y);
            }

            @Override
            public boolean plansOutput() {
                return true;
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }
}
