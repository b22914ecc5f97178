package dev.minnow.graph.ops.nn;

import dev.minnow.graph.Attributes;
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
 * GridSample(X [N, C, D1..Dr], grid [N, O1..Or, r]): samples X at normalized coordinates
 * in [-1, 1] (grid[..., 0] is the last axis, x). mode linear (bilinear), nearest or cubic
 * (bicubic); padding_mode zeros, border or reflection; align_corners. Interpolation is a
 * product of 1-D taps per axis (ONNX reference semantics). Backward gives X's gradient (the
 * transposed taps) and the grid's (the taps' derivatives by the coordinate; zero for nearest,
 * and where border padding clamps).
 */
final class GridSample extends AbstractOp {
    private final String mode;
    private final String padding;
    private final boolean alignCorners;

    GridSample(Attributes a) {
        super("GridSample", a);
        String m = a.getString("mode", opset < 20 ? "bilinear" : "linear");
        mode = switch (m) {
            case "bilinear", "linear" -> "linear";
            case "bicubic", "cubic" -> "cubic";
            case "nearest" -> "nearest";
            default -> throw unsupported("mode", m, "linear (bilinear), nearest, cubic (bicubic)");
        };
        padding = a.getString("padding_mode", "zeros");
        if (!List.of("zeros", "border", "reflection").contains(padding)) {
            throw unsupported("padding_mode", padding, "zeros, border, reflection");
        }
        alignCorners = a.getInt("align_corners", 0) != 0;
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Shape g = required(inputs, 1).shape();
        int r = x.shape().rank() - 2;
        if (g.rank() != r + 2 || g.dim(-1) != r) {
            throw shapeError("grid " + g + " does not fit input " + x.shape());
        }
        int[] out = new int[r + 2];
        out[0] = x.shape().dim(0);
        out[1] = x.shape().dim(1);
        for (int i = 0; i < r; i++) {
            out[2 + i] = g.dim(1 + i);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(out)));
    }

    /**
     * The taps of one coordinate along an axis of the given size: indices (-1: zero), weights,
     * and dw, the weights' derivatives by the normalized coordinate g.
     */
    private void taps(double g, int size, int[] idx, double[] w, double[] dw) {
        double x = alignCorners ? (g + 1) / 2 * (size - 1) : ((g + 1) * size - 1) / 2;
        double dxdg = alignCorners ? (size - 1) / 2.0 : size / 2.0;
        double lo = alignCorners ? 0 : -0.5;
        double hi = alignCorners ? size - 1 : size - 0.5;
        if (mode.equals("nearest")) {
            x = Math.rint(x);
        }
        if (x < lo || x > hi) {
            if (padding.equals("border")) {
                x = Math.clamp(x, 0, size - 1);
                dxdg = 0;
            } else if (padding.equals("reflection")) {
                dxdg *= reflectSign(x, lo, hi);
                x = reflect(x, lo, hi);
            }
        }
        java.util.Arrays.fill(w, 0);
        java.util.Arrays.fill(dw, 0);
        java.util.Arrays.fill(idx, -1);
        if (mode.equals("nearest")) {
            idx[0] = pixel((int) x, size, lo, hi);
            w[0] = 1;
            return;
        }
        double f = Math.floor(x);
        double t = x - f;
        if (mode.equals("linear")) {
            idx[0] = pixel((int) f, size, lo, hi);
            idx[1] = pixel((int) f + 1, size, lo, hi);
            w[0] = 1 - t;
            w[1] = t;
            dw[0] = -dxdg;
            dw[1] = dxdg;
            return;
        }
        double a = -0.75;
        double[] d = {t + 1, t, 1 - t, 2 - t};
        for (int k = 0; k < 4; k++) {
            double z = d[k];
            w[k] = z <= 1 ? ((a + 2) * z - (a + 3)) * z * z + 1 : ((a * z - 5 * a) * z + 8 * a) * z - 4 * a;
            double dwdz = z <= 1 ? (3 * (a + 2) * z - 2 * (a + 3)) * z : (3 * a * z - 10 * a) * z + 8 * a;
            dw[k] = dwdz * (k < 2 ? 1 : -1) * dxdg;
            idx[k] = pixel((int) f - 1 + k, size, lo, hi);
        }
    }

    /** The pixel read for integer coordinate i under the padding mode, -1 for zero. */
    private int pixel(int i, int size, double lo, double hi) {
        if (i >= 0 && i < size) {
            return i;
        }
        return switch (padding) {
            case "border" -> Math.clamp(i, 0, size - 1);
            case "reflection" -> Math.clamp((int) reflect(i, lo, hi), 0, size - 1);
            default -> -1;
        };
    }

    /** d reflect(x) / dx outside [lo, hi]: -1 after an even number of folds, +1 after an odd one. */
    private static double reflectSign(double x, double lo, double hi) {
        double dx = x < lo ? lo - x : x - hi;
        return ((int) (dx / (hi - lo))) % 2 == 0 ? -1 : 1;
    }

    private static double reflect(double x, double lo, double hi) {
        double range = hi - lo;
        if (x < lo) {
            double dx = lo - x;
            int n = (int) (dx / range);
            double r = dx - n * range;
            return n % 2 == 0 ? lo + r : hi - r;
        }
        if (x > hi) {
            double dx = x - hi;
            int n = (int) (dx / range);
            double r = dx - n * range;
            return n % 2 == 0 ? hi - r : lo + r;
        }
        return x;
    }

    /**
     * Visits every (output offset within a channel, input offset within a channel, weight);
     * dWeight[i] is the weight's derivative by grid component i (in grid order, x first).
     */
    private interface Visitor {
        void visit(int batch, int out, int in, double w, double[] dWeight);
    }

    private void each(Shape xs, Tensor grid, Visitor v) {
        int r = xs.rank() - 2;
        int n = xs.dim(0);
        int[] sizes = java.util.Arrays.copyOfRange(xs.dims(), 2, r + 2);
        int[] inStrides = Shape.of(sizes).strides();
        int outPerBatch = ReshapeLike.product(grid.shape().dims(), 1, r + 1);
        double[] g = Elems.doubles(grid);
        int nt = mode.equals("cubic") ? 4 : mode.equals("linear") ? 2 : 1;
        int[][] idx = new int[r][nt];
        double[][] w = new double[r][nt];
        double[][] dw = new double[r][nt];
        double[] dWeight = new double[r];
        int combos = (int) Math.pow(nt, r);
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < outPerBatch; o++) {
                int base = (b * outPerBatch + o) * r;
                for (int i = 0; i < r; i++) {
                    // grid components run from the last axis (x) to the first
                    taps(g[base + r - 1 - i], sizes[i], idx[i], w[i], dw[i]);
                }
                for (int c = 0; c < combos; c++) {
                    int off = 0;
                    double weight = 1;
                    java.util.Arrays.fill(dWeight, 1);
                    boolean inside = true;
                    int rest = c;
                    for (int i = r - 1; i >= 0; i--) {
                        int k = rest % nt;
                        rest /= nt;
                        if (idx[i][k] < 0) {
                            inside = false;
                            break;
                        }
                        off += idx[i][k] * inStrides[i];
                        weight *= w[i][k];
                        for (int j = 0; j < r; j++) {
                            // axis i is grid component r - 1 - i
                            dWeight[r - 1 - j] *= j == i ? dw[i][k] : w[i][k];
                        }
                    }
                    if (inside) {
                        v.visit(b, o, off, weight, dWeight);
                    }
                }
            }
        }
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Shape out = inferTypes(List.of(new TensorType(x.dtype(), x.shape()),
                new TensorType(inputs[1].dtype(), inputs[1].shape())), null).get(0).shape();
        int c = x.shape().dim(1);
        int inPer = ReshapeLike.product(x.shape().dims(), 2, x.shape().rank());
        int outPer = ReshapeLike.product(out.dims(), 2, out.rank());
        double[] xv = Elems.doubles(x);
        double[] y = new double[out.sizeInt()];
        each(x.shape(), inputs[1], (b, o, in, w, dWeight) -> {
            for (int ch = 0; ch < c; ch++) {
                y[(b * c + ch) * outPer + o] += w * xv[(b * c + ch) * inPer + in];
            }
        });
        return new Tensor[] {Elems.fromDoubles(x.dtype(), out, y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        Tensor x = inputs[0];
        if (gradOutputs[0] == null || x.dtype() != DType.FLOAT32) {
            return r;
        }
        int c = x.shape().dim(1);
        int inPer = ReshapeLike.product(x.shape().dims(), 2, x.shape().rank());
        int outPer = ReshapeLike.product(outputs[0].shape().dims(), 2, outputs[0].shape().rank());
        double[] g = Elems.doubles(gradOutputs[0]);
        double[] xv = Elems.doubles(x);
        double[] gx = new double[x.size()];
        int rank = x.shape().rank() - 2;
        double[] gGrid = new double[inputs[1].size()];
        int gridPerBatch = gGrid.length / Math.max(1, x.shape().dim(0));
        each(x.shape(), inputs[1], (b, o, in, w, dWeight) -> {
            double gxw = 0;
            for (int ch = 0; ch < c; ch++) {
                double go = g[(b * c + ch) * outPer + o];
                gx[(b * c + ch) * inPer + in] += w * go;
                gxw += go * xv[(b * c + ch) * inPer + in];
            }
            for (int i = 0; i < rank; i++) {
                gGrid[b * gridPerBatch + o * rank + i] += gxw * dWeight[i];
            }
        });
        r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), gx);
        if (inputs[1].dtype() == DType.FLOAT32) {
            r[1] = Elems.fromDoubles(DType.FLOAT32, inputs[1].shape(), gGrid);
        }
        return r;
    }
}
