package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import java.util.function.Predicate;

/**
 * Attributes shared by QuantizeLinear and DequantizeLinear: axis (default 1) for per-axis
 * parameters, block_size (default 0: not blocked) and output_dtype (0: decided by the inputs).
 */
abstract class LinearQuantOp extends NnOp {
    final long axis;
    final int blockSize;
    final DType outputDtype;

    LinearQuantOp(String type, Attributes attrs, Predicate<DType> allowedOutput, String allowedText) {
        super(type, attrs);
        this.axis = this.attrs.getInt("axis", 1);
        long b = this.attrs.getInt("block_size", 0);
        if (b < 0) {
            throw unsupported("block_size", b, "an integer >= 0");
        }
        this.blockSize = (int) b;
        long od = this.attrs.getInt("output_dtype", 0);
        DType d = od == 0 ? null : DType.fromOnnx((int) od);
        if (od != 0 && (d == null || !allowedOutput.test(d))) {
            throw unsupported("output_dtype", od, allowedText);
        }
        this.outputDtype = d;
    }
}
