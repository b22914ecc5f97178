package dev.minnow.infer.kernels;

import dev.minnow.graph.ops.quant.QLinearConvFloat;
import dev.minnow.graph.ops.quant.QLinearConvOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.tensor.Tensor;

/**
 * QLinearConv with constant weights: when the scales and zero points are constant too and the
 * exactness bound holds, the float-kernel path ({@link QLinearConvFloat}); otherwise the integer
 * kernel with the zero-point-free weights computed once, here.
 */
public final class QLinearConvKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (!(r.node().op() instanceof QLinearConvOp op) || r.channelLast() || r.constant(3) == null
                || (!r.node().input(5).isEmpty() && r.constant(5) == null)) {
            return null;
        }
        Tensor w = r.constant(3);
        Tensor zeroPoint = r.constant(5);
        QLinearConvFloat viaFloats = floatPath(r, op);
        if (viaFloats != null) {
            return new Kernel() {
                @Override
                public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                    out[0] = viaFloats.forward(in[0]);
                }

                @Override
                public boolean freshOutputs() {
                    return true;
                }
            };
        }
        QLinearConvOp.PreparedWeights prepared = op.prepare(w, zeroPoint);
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                // the inputs are the same initializer tensors every run
                out[0] = op.forward(in, in[3] == w && (in.length <= 5 || in[5] == zeroPoint)
                        ? prepared : op.prepare(in[3], in.length > 5 ? in[5] : null))[0];
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }

    /** The float path when every input but x is constant (absent optional ones count) and it is exact. */
    private static QLinearConvFloat floatPath(KernelRequest r, QLinearConvOp op) {
        if (r.inputType(0) == null) {
            return null;
        }
        for (int i = 1; i <= 8; i++) {
            boolean absent = i >= r.node().inputs().size() || r.node().input(i).isEmpty();
            if (!absent && r.constant(i) == null) {
                return null;
            }
        }
        return QLinearConvFloat.create(op, r.inputType(0).dtype(), r.constant(1), r.constant(2), r.constant(3),
                r.constant(4), r.constant(5), r.constant(6), r.constant(7), r.constant(8));
    }
}
