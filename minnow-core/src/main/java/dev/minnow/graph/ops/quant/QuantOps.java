package dev.minnow.graph.ops.quant;

import dev.minnow.graph.OpProvider;
import dev.minnow.graph.OpRegistry;

/**
 * Quantized ops: ONNX's QuantizeLinear family and integer convolution and matmul, ONNX Runtime's
 * contrib QLinearGlobalAveragePool, QLinearAdd, QLinearMul, QGemm,
 * QLinearConcat, QLinearLeakyRelu (com.microsoft), and Minnow's FakeQuantize (dev.minnow), which
 * round-trips through Minnow's ONNX reader and writer. docs/ONNX.md says what ONNX Runtime can run.
 * MACs of the integer convolutions and matmuls as their float twins (docs/COST.md).
 */
public final class QuantOps implements OpProvider {
    @Override
    public void register(OpRegistry r) {
        r.register("QuantizeLinear", QuantizeLinearOp::new);
        r.register("DequantizeLinear", DequantizeLinearOp::new);
        r.register("DynamicQuantizeLinear", DynamicQuantizeLinearOp::new);
        r.register("ConvInteger", ConvIntegerOp::new);
        r.register("QLinearConv", QLinearConvOp::new);
        r.register("QLinearGlobalAveragePool", QLinearGlobalAveragePoolOp::new);
        r.register("MatMulInteger", MatMulIntegerOp::new);
        r.register("QLinearMatMul", QLinearMatMulOp::new);
        r.register(OpRegistry.MINNOW_DOMAIN, FakeQuantize.TYPE, FakeQuantize::new);
        r.register(OpRegistry.MINNOW_DOMAIN, LowBitWeight.TYPE, LowBitWeight::new);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearGlobalAveragePool", QLinearGlobalAveragePoolOp::new);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearAdd", QLinearBinaryOp::add);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearMul", QLinearBinaryOp::mul);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QGemm", QGemmOp::new);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearConcat", QLinearConcatOp::new);
        r.register(OpRegistry.MICROSOFT_DOMAIN, "QLinearLeakyRelu", QLinearLeakyReluOp::new);
    }
}
