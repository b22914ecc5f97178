package dev.minnow.infer.kernels;

import dev.minnow.graph.ops.nn.MaxPoolOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.Codes;
import dev.minnow.kernels.Pool;
import dev.minnow.kernels.PoolGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/**
 * 2-D MaxPool whose Indices output nobody reads: the pool kernel without argmax, into a planned
 * buffer for float input; for int8 / uint8 codes (between QDQ groups) the same kernel over the
 * codes as floats (exact: the max of integers), instead of the op's path that also builds the
 * int64 indices.
 */
public final class MaxPoolKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (!(r.node().op() instanceof MaxPoolOp op) || r.channelLast() || r.inputType(0) == null
                || r.inputType(0).shape().rank() != 4 || r.outputUsed(1)) {
            return null;
        }
        DType type = r.inputType(0).dtype();
        if (type == DType.UINT8 || type == DType.INT8) {
            return codes(op, type);
        }
        if (!r.isFloat(0)) {
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

    private static Kernel codes(MaxPoolOp op, DType type) {
        return new Kernel() {
            private float[] xs = new float[0];
            private float[] ys = new float[0];

            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                PoolGeometry pg = op.geometry(in[0].shape());
                byte[] xb = in[0].bytes();
                if (xs.length < xb.length) {
                    xs = new float[xb.length];
                }
                if (ys.length < pg.outputSize()) {
                    ys = new float[pg.outputSize()];
                }
                boolean unsigned = type == DType.UINT8;
                Codes.toFloats(xb, 0, xs, 0, xb.length, unsigned, 0);
                Pool.maxForward(pg, xs, ys, null);
                Tensor y = Tensor.zeros(type, op.outShape(in[0].shape()));
                byte[] yb = y.bytes();
                // the maxima are codes already: a requantization by 1 only converts them back
                Codes.requantize(ys, 0, yb.length, 1f, unsigned ? 0 : -128, unsigned ? 255 : 127, 0, yb, 0);
                out[0] = y;
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }
}
