package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * AffineGrid(theta [N, r, r+1], size [N, C, (D,) H, W]): the sampling grid [N, (D,) H, W, r]
 * for GridSample, theta applied to the normalized base coordinates (x, y(, z), 1), with
 * pixel centres (align_corners=0) or corners (=1) at -1 and 1. Linear in theta, so
 * backward gives theta's gradient.
 */
final class AffineGrid extends AbstractOp {
    private final boolean alignCorners;

    AffineGrid(Attributes a) {
        super("AffineGrid", a);
        alignCorners = a.getInt("align_corners", 0) != 0;
    }

    private static int[] spatial(long[] size) {
        int[] s = new int[size.length - 2];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.toIntExact(size[i + 2]);
        }
        return s;
    }

    private static Shape out(int n, int[] spatial) {
        int[] d = new int[spatial.length + 2];
        d[0] = n;
        System.arraycopy(spatial, 0, d, 1, spatial.length);
        d[d.length - 1] = spatial.length;
        return Shape.of(d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType theta = required(inputs, 0);
        Tensor size = constant(constants, 1);
        if (size == null) {
            int r = theta.shape().rank() == 3 ? theta.shape().dim(1) : Shape.UNKNOWN;
            if (r < 0) {
                throw shapeError("theta must be [N, r, r + 1] with known r, got " + theta.shape());
            }
            int[] d = new int[r + 2];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            d[0] = theta.shape().dim(0);
            d[r + 1] = r;
            return List.of(new TensorType(theta.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(theta.dtype(), out(theta.shape().dim(0), spatial(Elems.longs(size)))));
    }

    /** Normalized base coordinate of pixel i along an axis of length len. */
    private double base(int i, int len) {
        if (alignCorners) {
            return len == 1 ? 0 : -1 + 2.0 * i / (len - 1);
        }
        return (2.0 * i + 1) / len - 1;
    }

    /** Homogeneous base coordinates (x, y(, z), 1) of every output point, point-major. */
    private double[] bases(int[] sp) {
        int r = sp.length;
        int points = ReshapeLike.product(sp, 0, r);
        int[] st = Shape.of(sp).strides();
        double[] b = new double[points * (r + 1)];
        for (int p = 0; p < points; p++) {
            for (int k = 0; k < r; k++) {
                int axis = r - 1 - k; // component k is x for k = 0, the last spatial axis
                b[p * (r + 1) + k] = base((p / st[axis]) % sp[axis], sp[axis]);
            }
            b[p * (r + 1) + r] = 1;
        }
        return b;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor theta = inputs[0];
        int[] sp = spatial(Elems.longs(inputs[1]));
        int r = sp.length;
        int n = theta.shape().dim(0);
        double[] t = Elems.doubles(theta);
        double[] b = bases(sp);
        int points = b.length / (r + 1);
        double[] y = new double[n * points * r];
        for (int bn = 0; bn < n; bn++) {
            for (int p = 0; p < points; p++) {
                for (int row = 0; row < r; row++) {
                    double s = 0;
                    for (int k = 0; k <= r; k++) {
                        s += t[(bn * r + row) * (r + 1) + k] * b[p * (r + 1) + k];
                    }
                    y[(bn * points + p) * r + row] = s;
                }
            }
        }
        return new Tensor[] {Elems.fromDoubles(theta.dtype(), out(n, sp), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] res = new Tensor[inputs.length];
        Tensor theta = inputs[0];
        if (gradOutputs[0] == null || theta.dtype() != DType.FLOAT32) {
            return res;
        }
        int[] sp = spatial(Elems.longs(inputs[1]));
        int r = sp.length;
        int n = theta.shape().dim(0);
        double[] g = Elems.doubles(gradOutputs[0]);
        double[] b = bases(sp);
        int points = b.length / (r + 1);
        double[] gt = new double[theta.size()];
        for (int bn = 0; bn < n; bn++) {
            for (int p = 0; p < points; p++) {
                for (int row = 0; row < r; row++) {
                    double gv = g[(bn * points + p) * r + row];
                    for (int k = 0; k <= r; k++) {
                        gt[(bn * r + row) * (r + 1) + k] += gv * b[p * (r + 1) + k];
                    }
                }
            }
        }
        res[0] = Elems.fromDoubles(DType.FLOAT32, theta.shape(), gt);
        return res;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
