package dev.minnow.graph.ops.nn;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Neural-network ops: convolution, pooling, dense, normalization, dropout, softmax, losses, grid
 * sampling, and Minnow's fused ops (domain dev.minnow, made by the inference activation-fusion
 * pass). MAC convention (docs/COST.md): Conv = N * M * outSpatial * (C / group) * kernelSize, Gemm
 * and MatMul = M * N * K (times the batch); pooling, norms and the rest 0.
 */
public final class NnOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register("Conv", ConvOp::new);
        r.register("MaxPool", MaxPoolOp::new);
        r.register("AveragePool", AveragePoolOp::new);
        r.register("LpPool", LpPoolOp::new);
        r.register("GlobalAveragePool", GlobalPoolOp::average);
        r.register("GlobalMaxPool", GlobalPoolOp::max);
        r.register("GlobalLpPool", GlobalPoolOp::lp);
        r.register("ConvTranspose", ConvTransposeOp::new);
        r.register("DeformConv", DeformConvOp::new);
        r.register("Gemm", GemmOp::new);
        r.register("MatMul", MatMulOp::new);
        r.register("BatchNormalization", BatchNormalizationOp::new);
        r.register("Dropout", DropoutOp::new);
        r.register("InstanceNormalization", InstanceNormalizationOp::new);
        r.register("GroupNormalization", GroupNormalizationOp::new);
        r.register("LayerNormalization", LayerNormalizationOp::new);
        r.register("RMSNormalization", RMSNormalizationOp::new);
        r.register("LRN", LrnOp::new);
        r.register("Hardmax", HardmaxOp::new);
        r.register("LpNormalization", LpNormalizationOp::new);
        r.register("MeanVarianceNormalization", MeanVarianceNormalizationOp::new);
        r.register("MaxUnpool", MaxUnpoolOp::new);
        r.register("Softmax", SoftmaxOp::softmax);
        r.register("LogSoftmax", SoftmaxOp::logSoftmax);
        r.register("GridSample", GridSample::new);
        r.register("AffineGrid", AffineGrid::new);
        r.register("NegativeLogLikelihoodLoss", a -> new NllLoss("NegativeLogLikelihoodLoss", a));
        r.register("SoftmaxCrossEntropyLoss", a -> new NllLoss("SoftmaxCrossEntropyLoss", a));
        r.register(OpRegistry.MINNOW_DOMAIN, FusedConvOp.TYPE, FusedConvOp::new);
        r.register(OpRegistry.MINNOW_DOMAIN, FusedAddOp.TYPE, FusedAddOp::new);
    }
}
