package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.Int8Conv2d;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX ConvInteger (opset 10): int32 y = Conv(x - x_zero_point, w - w_zero_point) over uint8 /
 * int8 inputs, exact (int accumulation); w_zero_point per tensor or per output channel. Conv
 * attributes as {@link ConvOp}; padding contributes 0 after the zero point is removed. Runs
 * {@link Int8Conv2d} on the codes (weights packed per call; QLinearConv's kernel packs once).
 * MACs as Conv.
 */
public final class ConvIntegerOp extends NnOp {
    private final ConvOp conv;

    public ConvIntegerOp(Attributes attrs) {
        super("ConvInteger", attrs);
        this.conv = new ConvOp(type, this.attrs);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "x");
        TensorType w = required(in, 1, "w");
        requireInteger(type, x, "x");
        requireInteger(type, w, "w");
        return List.of(new TensorType(DType.INT32, conv.outputShape(x.shape(), w.shape(), null)));
    }

    static void requireInteger(String op, TensorType t, String what) {
        if (t.dtype() != DType.UINT8 && t.dtype() != DType.INT8) {
            throw new ShapeException(op + ": " + what + " must be uint8 or int8, got " + t.dtype().label);
        }
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        ConvGeometry g = conv.geometry(x.shape(), w.shape());
        Int8Conv2d.Weights pw = QLinearConvOp.prepareCodes(type, attrs.getInt("group", 1), w, opt(inputs, 3));
        int[] y = QLinearConvOp.accumulate(type, g, x, opt(inputs, 2), pw);
        return new Tensor[] {Tensor.ofInts(conv.outShape(x.shape(), g), y)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        return conv.macs(in, out);
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2, 3 -> InputRole.QUANT_PARAM;
            default -> InputRole.DATA;
        };
    }
}
