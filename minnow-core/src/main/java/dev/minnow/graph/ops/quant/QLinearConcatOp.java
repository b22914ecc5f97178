package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Runtime's contrib QLinearConcat (com.microsoft): inputs Y_scale, Y_zero_point, then
 * (X, X_scale, X_zero_point) per tensor to join along axis. An input whose scale and zero point
 * equal the output's is copied; others go through ONNX Runtime's requantization table
 * ({@link QLookup}), so the codes match it bit for bit. Output the type of Y_zero_point.
 */
public final class QLinearConcatOp extends NnOp {
    private final long axis;

    public QLinearConcatOp(Attributes attrs) {
        super("QLinearConcat", attrs);
        this.axis = this.attrs.getInt("axis", 0);
    }

    private int axis(int rank) {
        int a = (int) (axis < 0 ? axis + rank : axis);
        if (a < 0 || a >= rank) {
            throw new ShapeException(type + ": axis " + axis + " is out of range for rank " + rank);
        }
        return a;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        required(in, 0, "Y_scale");
        TensorType yzp = required(in, 1, "Y_zero_point");
        if (in.size() < 5 || (in.size() - 2) % 3 != 0) {
            throw new ShapeException(type + ": expects Y_scale, Y_zero_point and (X, X_scale, X_zero_point) triples, got "
                    + in.size() + " inputs");
        }
        TensorType first = required(in, 2, "X");
        int a = axis(first.shape().rank());
        int[] d = first.shape().dims();
        int total = 0;
        for (int i = 2; i < in.size(); i += 3) {
            TensorType x = required(in, i, "X");
            ConvIntegerOp.requireInteger(type, x, "X");
            if (x.shape().rank() != d.length) {
                throw new ShapeException(type + ": inputs differ in rank: " + first.shape() + " and " + x.shape());
            }
            total = total < 0 || x.shape().dim(a) < 0 ? -1 : total + x.shape().dim(a);
        }
        d[a] = total;
        return List.of(new TensorType(yzp.dtype(), Shape.of(d)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        DType t = inputs[1].dtype();
        float ys = f32(inputs[0])[0];
        int yz = Quant.zeroPoints(inputs[1])[0];
        Shape first = inputs[2].shape();
        int a = axis(first.rank());
        int[] d = first.dims();
        int outer = 1;
        for (int i = 0; i < a; i++) {
            outer *= d[i];
        }
        int total = 0;
        for (int i = 2; i < inputs.length; i += 3) {
            total += inputs[i].shape().dim(a);
        }
        d[a] = total;
        Tensor y = Tensor.zeros(t, Shape.of(d));
        byte[] yb = y.bytes();
        int rowOut = (int) (y.size() / Math.max(1, outer));
        int offset = 0;
        for (int i = 2; i < inputs.length; i += 3) {
            Tensor x = inputs[i];
            if (x.dtype() != t) {
                throw new ShapeException(type + ": input " + x.dtype().label + " differs from the output type " + t.label);
            }
            float xs = f32(inputs[i + 1])[0];
            int xz = Quant.zeroPoints(inputs[i + 2])[0];
            byte[] table = xs == ys && xz == yz ? null : QLookup.table(t, xs, xz, ys, yz, v -> v);
            byte[] xb = x.bytes();
            int row = (int) (x.size() / Math.max(1, outer));
            for (int o = 0; o < outer; o++) {
                int src = o * row;
                int dst = o * rowOut + offset;
                if (table == null) {
                    System.arraycopy(xb, src, yb, dst, row);
                } else {
                    for (int k = 0; k < row; k++) {
                        yb[dst + k] = table[xb[src + k] & 0xff];
                    }
                }
            }
            offset += row;
        }
        return new Tensor[] {y};
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 2 && (index - 2) % 3 == 0 ? InputRole.DATA : InputRole.QUANT_PARAM;
    }

    @Override
    public String domain() {
        return OpRegistry.MICROSOFT_DOMAIN;
    }
}
