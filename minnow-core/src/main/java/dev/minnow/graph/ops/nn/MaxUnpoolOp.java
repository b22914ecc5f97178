package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX MaxUnpool (opset 11): scatters X into zeros at the flat output positions I (as MaxPool's
 * Indices give them). Output spatial size (in - 1) * stride + kernel - padBegin - padEnd unless
 * the optional output_shape input gives it (the indices then keep their coordinates in the
 * inferred size). Backward gathers dY at I. 0 MACs.
 */
public final class MaxUnpoolOp extends NnOp {
    private final Window window;

    public MaxUnpoolOp(Attributes attrs) {
        super("MaxUnpool", attrs);
        this.window = new Window(type, this.attrs);
        if (window.kernel == null) {
            throw new UnsupportedOpException(type + ": attribute kernel_shape is required");
        }
    }

    private Shape outShape(Shape x, Tensor outputShape) {
        if (outputShape != null) {
            long[] d = new long[outputShape.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = outputShape.getLong(i);
            }
            return Shape.of(d);
        }
        int r = x.rank() - 2;
        int[] s = window.strides(r);
        int[][] pads = window.explicitPads(r);
        if (window.kernel.length != r) {
            throw new ShapeException(type + ": kernel_shape has " + window.kernel.length + " values for " + r + " spatial dims");
        }
        int[] d = x.dims();
        for (int i = 0; i < r; i++) {
            if (d[i + 2] >= 0) {
                d[i + 2] = (d[i + 2] - 1) * s[i] + window.kernel[i] - pads[0][i] - pads[1][i];
            }
        }
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        required(in, 1, "I");
        requireFloating(x, "X");
        requireRank(x, 3, "X");
        TensorType os = opt(in, 2);
        Tensor known = constants.size() > 2 ? constants.get(2) : null;
        if (os != null && known == null) {
            int[] d = new int[x.shape().rank()];
            java.util.Arrays.fill(d, -1);
            return List.of(new TensorType(x.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(x.dtype(), outShape(x.shape(), known)));
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor idx = inputs[1];
        Shape os = outShape(x.shape(), opt(inputs, 2));
        Shape natural = outShape(x.shape(), null);
        float[] xv = f32(x);
        float[] y = new float[os.sizeInt()];
        for (int i = 0; i < xv.length; i++) {
            long at = placed(idx.getLong(i), natural, os);
            if (at < 0 || at >= y.length) {
                throw new ShapeException(type + ": index " + at + " is outside the output " + os);
            }
            y[(int) at] = xv[i];
        }
        return new Tensor[] {out(x.dtype(), os, y)};
    }

    /**
     * Indices address the output size MaxUnpool would infer; with a different output_shape the
     * same coordinates are placed in the larger output.
     */
    private static long placed(long index, Shape natural, Shape actual) {
        if (natural.equals(actual) || natural.rank() != actual.rank()) {
            return index;
        }
        long rem = index;
        long at = 0;
        long stride = 1;
        for (int k = natural.rank() - 1; k >= 0; k--) {
            long c = rem % natural.dim(k);
            rem /= natural.dim(k);
            at += c * stride;
            stride *= actual.dim(k);
        }
        return at;
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        Tensor idx = inputs[1];
        float[] dy = f32(gradOutputs[0]);
        float[] dx = new float[x.size()];
        Shape natural = outShape(x.shape(), null);
        for (int i = 0; i < dx.length; i++) {
            dx[i] = dy[(int) placed(idx.getLong(i), natural, outputs[0].shape())];
        }
        Tensor[] r = new Tensor[inputs.length];
        r[0] = out(x.dtype(), x.shape(), dx);
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 2 -> InputRole.SETTING;
            default -> InputRole.DATA;
        };
    }
}
