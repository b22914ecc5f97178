package dev.minnow.graph.ops.quant;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Runtime's contrib QLinearLeakyRelu (com.microsoft): inputs X, X_scale, X_zero_point,
 * Y_scale, Y_zero_point (per tensor), attribute alpha (0.01); a 256-entry table built as ONNX
 * Runtime builds it ({@link QLookup}, float32 x >= 0 ? x : alpha * x). Output the type of X.
 */
public final class QLinearLeakyReluOp extends NnOp {
    private final float alpha;

    public QLinearLeakyReluOp(Attributes attrs) {
        super("QLinearLeakyRelu", attrs);
        this.alpha = (float) this.attrs.getFloat("alpha", 0.01);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        required(in, 1, "X_scale");
        required(in, 3, "Y_scale");
        ConvIntegerOp.requireInteger(type, x, "X");
        return List.of(x);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        byte[] table = QLookup.table(x.dtype(), f32(inputs[1])[0], Quant.zeroPoints(opt(inputs, 2))[0],
                f32(inputs[3])[0], Quant.zeroPoints(opt(inputs, 4))[0], v -> v >= 0 ? v : (float) (alpha * (float) v));
        Tensor y = Tensor.zeros(x.dtype(), x.shape());
        byte[] xb = x.bytes();
        byte[] yb = y.bytes();
        for (int i = 0; i < xb.length; i++) {
            yb[i] = table[xb[i] & 0xff];
        }
        return new Tensor[] {y};
    }

    @Override
    public InputRole inputRole(int index) {
        return index == 0 ? InputRole.DATA : InputRole.QUANT_PARAM;
    }

    @Override
    public String domain() {
        return OpRegistry.MICROSOFT_DOMAIN;
    }
}
