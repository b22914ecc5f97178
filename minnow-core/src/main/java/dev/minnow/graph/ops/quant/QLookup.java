package dev.minnow.graph.ops.quant;

import dev.minnow.tensor.DType;
import java.util.function.DoubleUnaryOperator;

/**
 * ONNX Runtime's lookup tables for the quantized unary contrib ops (QLinearConcat's requantized
 * inputs, QLinearLeakyRelu): for each of the 256 codes, dequantize in float32
 * (x_scale * (code - x_zero_point)), apply f in float32, quantize as MLAS does
 * (round_half_even(v / y_scale) + y_zero_point, saturated). Indexed by the code's unsigned byte.
 */
final class QLookup {
    private QLookup() {
    }

    static byte[] table(DType t, float xScale, int xZero, float yScale, int yZero, DoubleUnaryOperator f) {
        byte[] table = new byte[256];
        long lo = Quant.min(t);
        long hi = Quant.max(t);
        for (int b = 0; b < 256; b++) {
            int code = t == DType.UINT8 ? b : (byte) b;
            float x = xScale * (code - xZero);
            float y = (float) f.applyAsDouble(x);
            long q = (long) Math.max(lo, Math.min(hi, Math.rint(y / yScale) + yZero));
            table[b] = (byte) q;
        }
        return table;
    }
}
