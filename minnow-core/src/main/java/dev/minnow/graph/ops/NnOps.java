package dev.minnow.graph.ops;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Neural-network ops: convolution, pooling, dense, normalization, dropout, softmax, recurrent and quantized ops.
 * MAC convention (docs/COST.md): Conv = N * M * outSpatial * (C / group) * kernelSize, Gemm and
 * MatMul = M * N * K (times the batch), recurrent cells per step and gate; pooling, norms and the
 * rest 0.
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
        r.register("QuantizeLinear", QuantizeLinearOp::new);
        r.register("DequantizeLinear", DequantizeLinearOp::new);
        r.register("DynamicQuantizeLinear", DynamicQuantizeLinearOp::new);
        r.register("ConvInteger", ConvIntegerOp::new);
        r.register("QLinearConv", QLinearConvOp::new);
        r.register("QLinearGlobalAveragePool", QLinearGlobalAveragePoolOp::new);
        r.register("MatMulInteger", MatMulIntegerOp::new);
        r.register("QLinearMatMul", QLinearMatMulOp::new);
        r.register("RNN", RnnOp::new);
        r.register("GRU", GruOp::new);
        r.register("LSTM", LstmOp::new);
        r.register("LpNormalization", LpNormalizationOp::new);
        r.register("MeanVarianceNormalization", MeanVarianceNormalizationOp::new);
        r.register("MaxUnpool", MaxUnpoolOp::new);
        r.register("Softmax", SoftmaxOp::softmax);
        r.register("LogSoftmax", SoftmaxOp::logSoftmax);
    }
}
