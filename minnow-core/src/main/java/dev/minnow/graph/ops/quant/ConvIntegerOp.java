package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.IntConv2d;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX ConvInteger (opset 10): int32 y = Conv(x - x_zero_point, w - w_zero_point) over uint8 /
 * int8 inputs, exact (int accumulation); w_zero_point per tensor or per output channel. Conv
 * attributes as {@link ConvOp}; padding contributes 0 after the zero point is removed.
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

    /** x with its (per-tensor) zero point removed. */
    static int[] shifted(Tensor x, Tensor zp, String op) {
        int[] v = Quant.ints(x);
        int[] z = Quant.zeroPoints(zp);
        if (z.length != 1) {
            throw new ShapeException(op + ": the input zero point must be a single value, got " + zp.shape());
        }
        for (int i = 0; i < v.length; i++) {
            v[i] -= z[0];
        }
        return v;
    }

    /** w [M, ...] with its per-tensor or per-output-channel zero point removed. */
    static int[] shiftedWeights(Tensor w, Tensor zp, String op) {
        int[] v = Quant.ints(w);
        int[] z = Quant.zeroPoints(zp);
        int m = w.shape().dim(0);
        if (z.length != 1 && z.length != m) {
            throw new ShapeException(op + ": the weight zero point must have 1 or " + m + " values, got " + zp.shape());
        }
        int per = v.length / m;
        for (int i = 0; i < v.length; i++) {
            v[i] -= z.length == 1 ? z[0] : z[i / per];
        }
        return v;
    }

    /** Integer convolution of zero-point-free x and w; returns the geometry's output as int32. */
    static int[] convolve(ConvGeometry g, int[] x, int[] w) {
        int[] y = new int[g.outputSize()];
        IntConv2d.forwardFast(g, x, w, y);
        return y;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        ConvGeometry g = conv.geometry(x.shape(), w.shape());
        int[] y = convolve(g, shifted(x, opt(inputs, 2), type), shiftedWeights(w, opt(inputs, 3), type));
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
