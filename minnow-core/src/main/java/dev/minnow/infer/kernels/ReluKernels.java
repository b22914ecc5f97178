package dev.minnow.infer.kernels;

import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.Eltwise;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/** A float Relu no fusion absorbed: one vector clamp, written over its input when that dies here. */
public final class ReluKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (!r.opType().equals("Relu") || r.channelLast() || !r.isFloat(0)) {
            return null;
        }
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                float[] x = in[0].floats();
                float[] y = Floats.target(buffer, x.length);
                Eltwise.addClamp(x, null, y, y.length, 0f, Float.POSITIVE_INFINITY);
                out[0] = Tensor.wrap(DType.FLOAT32, in[0].shape(), y);
            }

            @Override
            public boolean overwritesInput() {
                return true;
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }
}
