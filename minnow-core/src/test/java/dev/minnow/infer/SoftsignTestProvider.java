package dev.minnow.infer;

import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/**
 * Registered in the test class path's META-INF/services: proves ServiceLoader discovery. Claims
 * float Softsign nodes (no built-in provider does) with its own loop, x / (1 + |x|).
 */
public final class SoftsignTestProvider implements KernelProvider {
    /** The kernel class, so a test can see it was picked. */
    static final class SoftsignKernel implements Kernel {
        @Override
        public void run(Tensor[] in, float[] buffer, Tensor[] out) {
            float[] x = in[0].floats();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] / (1 + Math.abs(x[i]));
            }
            out[0] = Tensor.wrap(DType.FLOAT32, in[0].shape(), y);
        }

        @Override
        public boolean freshOutputs() {
            return true;
        }
    }

    @Override
    public Kernel kernelFor(KernelRequest r) {
        return r.opType().equals("Softsign") && r.isFloat(0) && !r.channelLast() ? new SoftsignKernel() : null;
    }
}
