package dev.minnow.infer.kernels;

import dev.minnow.graph.ops.quant.MatMulIntegerOp;
import dev.minnow.graph.ops.quant.QGemmOp;
import dev.minnow.graph.ops.quant.QLinearMatMulOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;

/** QLinearMatMul with a constant 2-D b and QGemm with a constant B (fully connected layers): packed for Int8Gemm once, here. */
public final class QLinearMatMulKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        if (r.node().op() instanceof QGemmOp q) {
            return qgemm(r, q);
        }
        if (!(r.node().op() instanceof QLinearMatMulOp op) || r.channelLast() || r.constant(3) == null
                || r.constant(3).shape().rank() != 2 || r.inputType(0) == null
                || (!r.node().input(5).isEmpty() && r.constant(5) == null)) {
            return null;
        }
        Tensor b = r.constant(3);
        Tensor zeroPoint = r.constant(5);
        boolean aUnsigned = r.inputType(0).dtype() == DType.UINT8;
        MatMulIntegerOp.PreparedB prepared = MatMulIntegerOp.prepareB(b, zeroPoint, b.shape().dim(0), b.shape().dim(1),
                aUnsigned, "QLinearMatMul");
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                boolean same = in[3] == b && (in.length <= 5 || in[5] == zeroPoint)
                        && (in[0].dtype() == DType.UINT8) == aUnsigned;
                out[0] = same ? op.forward(in, prepared)[0] : op.forward(null, in)[0];
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }

    /** QGemm with a constant B: transposed (transB) and packed once. */
    private static Kernel qgemm(KernelRequest r, QGemmOp op) {
        if (r.channelLast() || r.constant(3) == null || r.inputType(0) == null
                || (!r.node().input(5).isEmpty() && r.constant(5) == null)) {
            return null;
        }
        Tensor b = r.constant(3);
        Tensor zeroPoint = r.constant(5);
        boolean aUnsigned = r.inputType(0).dtype() == DType.UINT8;
        MatMulIntegerOp.PreparedB prepared = op.prepare(b, zeroPoint, aUnsigned);
        return new Kernel() {
            @Override
            public void run(Tensor[] in, float[] buffer, Tensor[] out) {
                boolean same = in[3] == b && (in.length <= 5 || in[5] == zeroPoint)
                        && (in[0].dtype() == DType.UINT8) == aUnsigned;
                out[0] = same ? op.forward(in, prepared)[0] : op.forward(null, in)[0];
            }

            @Override
            public boolean freshOutputs() {
                return true;
            }
        };
    }
}
