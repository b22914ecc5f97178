package dev.minnow.graph.ops.tensor;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare over axes, with keepdims
 * (default 1) and noop_with_empty_axes (default 0: no axes means all axes). Axes are an
 * attribute before opset 13 (ReduceSum) or 18 (the others) and input 1 after. Reducing an
 * empty set gives the identity of the operation (0, 1, -inf, +inf). Computed in double.
 * MACs: 0 (reductions add or compare; docs/COST.md).
 */
final class Reduce extends AbstractOp {
    private final String kind;
    private final boolean keepDims;
    private final boolean noopWithEmptyAxes;
    private final long[] attrAxes;
    private final boolean axesAsInput;
    /** Marker: axes not known during inference; with keepdims the rank stays and every dim becomes unknown. */
    private static final boolean[] UNKNOWN_AXES = new boolean[0];

    Reduce(String type, Attributes a) {
        super(type, a);
        kind = type.substring("Reduce".length());
        keepDims = a.getInt("keepdims", 1) != 0;
        noopWithEmptyAxes = a.getInt("noop_with_empty_axes", 0) != 0;
        attrAxes = a.getInts("axes", null);
        axesAsInput = opset >= (kind.equals("Sum") ? 13 : 18);
    }

    /** Which input axes are reduced; null means none (the no-op case). */
    private boolean[] reduced(int rank, Tensor axesInput, boolean axesInputGiven) {
        long[] axes = axesAsInput ? (axesInput == null ? null : Elems.longs(axesInput)) : attrAxes;
        if (axesAsInput && axesInputGiven && axesInput == null) {
            if (keepDims) {
                return UNKNOWN_AXES;
            }
            throw shapeError("the axes input must be a constant (an initializer) for shape inference (or keepdims=1)");
        }
        boolean[] r = new boolean[rank];
        if (axes == null || axes.length == 0) {
            if (noopWithEmptyAxes) {
                return null;
            }
            java.util.Arrays.fill(r, true);
            return r;
        }
        for (long a : axes) {
            r[axis(a, rank)] = true;
        }
        return r;
    }

    private static Shape kept(Shape in, boolean[] red) {
        int[] d = in.dims();
        for (int i = 0; i < d.length; i++) {
            if (red[i]) {
                d[i] = 1;
            }
        }
        return Shape.of(d);
    }

    private Shape out(Shape in, boolean[] red) {
        if (red == null) {
            return in;
        }
        if (red == UNKNOWN_AXES) {
            int[] d = new int[in.rank()];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            return Shape.of(d);
        }
        if (keepDims) {
            return kept(in, red);
        }
        int[] d = in.dims();
        int[] o = new int[d.length];
        int k = 0;
        for (int i = 0; i < d.length; i++) {
            if (!red[i]) {
                o[k++] = d[i];
            }
        }
        return Shape.of(java.util.Arrays.copyOf(o, k));
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        boolean given = inputs.size() > 1 && inputs.get(1) != null;
        return List.of(new TensorType(x.dtype(), out(x.shape(), reduced(x.shape().rank(), constant(constants, 1), given))));
    }

    private boolean[] reduced(Tensor[] inputs) {
        Tensor axes = input(inputs, 1);
        return reduced(inputs[0].shape().rank(), axes, axes != null);
    }

    private double initial() {
        return switch (kind) {
            case "Max", "LogSumExp" -> Double.NEGATIVE_INFINITY;
            case "Min" -> Double.POSITIVE_INFINITY;
            case "Prod" -> 1;
            default -> 0;
        };
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        boolean[] red = reduced(inputs);
        if (red == null) {
            return new Tensor[] {x};
        }
        Shape k = kept(x.shape(), red);
        int[] m = Broadcast.map(k, x.shape());
        double[] v = Elems.doubles(x);
        int n = k.sizeInt();
        double[] acc = new double[n];
        java.util.Arrays.fill(acc, initial());
        double[] max = null;
        if (kind.equals("LogSumExp")) {
            max = new double[n];
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < v.length; i++) {
                int o = m == null ? i : m[i];
                max[o] = Math.max(max[o], v[i]);
            }
            java.util.Arrays.fill(acc, 0);
        }
        for (int i = 0; i < v.length; i++) {
            int o = m == null ? i : m[i];
            double a = v[i];
            acc[o] = switch (kind) {
                case "Max" -> Math.max(acc[o], a);
                case "Min" -> Math.min(acc[o], a);
                case "Prod" -> acc[o] * a;
                case "L1" -> acc[o] + Math.abs(a);
                case "L2", "SumSquare" -> acc[o] + a * a;
                case "LogSumExp" -> acc[o] + Math.exp(a - max[o]);
                default -> acc[o] + a;
            };
        }
        long count = n == 0 ? 0 : x.size() / n;
        for (int o = 0; o < n; o++) {
            acc[o] = switch (kind) {
                case "Mean" -> acc[o] / count;
                case "L2" -> Math.sqrt(acc[o]);
                case "LogSum" -> Math.log(acc[o]);
                case "LogSumExp" -> max[o] == Double.NEGATIVE_INFINITY ? max[o] : max[o] + Math.log(acc[o]);
                default -> acc[o];
            };
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), out(x.shape(), red), acc)};
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
        boolean[] red = reduced(inputs);
        if (red == null) {
            r[0] = gradOutputs[0];
            return r;
        }
        Shape k = kept(x.shape(), red);
        int[] m = Broadcast.map(k, x.shape());
        float[] xv = x.floats();
        float[] y = outputs[0].floats();
        float[] g = gradOutputs[0].floats();
        int n = k.sizeInt();
        long count = n == 0 ? 0 : x.size() / n;
        // Prod: product of the non-zero elements and the zero count per group, for exact gradients at zeros
        double[] nonZeroProd = new double[n];
        int[] zeros = new int[n];
        boolean[] taken = new boolean[n];
        if (kind.equals("Prod")) {
            java.util.Arrays.fill(nonZeroProd, 1);
            for (int i = 0; i < xv.length; i++) {
                int o = m == null ? i : m[i];
                if (xv[i] == 0) {
                    zeros[o]++;
                } else {
                    nonZeroProd[o] *= xv[i];
                }
            }
        }
        float[] gx = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            int o = m == null ? i : m[i];
            double a = xv[i];
            double d = switch (kind) {
                case "Mean" -> 1.0 / count;
                case "Max", "Min" -> {
                    if (!taken[o] && a == y[o]) {
                        taken[o] = true;
                        yield 1;
                    }
                    yield 0;
                }
                case "Prod" -> a != 0 ? (zeros[o] == 0 ? nonZeroProd[o] / a : 0) : (zeros[o] == 1 ? nonZeroProd[o] : 0);
                case "L1" -> Math.signum(a);
                case "L2" -> y[o] == 0 ? 0 : a / y[o];
                case "SumSquare" -> 2 * a;
                case "LogSum" -> Math.exp(-y[o]);
                case "LogSumExp" -> Math.exp(a - y[o]);
                default -> 1;
            };
            gx[i] = (float) (g[o] * d);
        }
        r[0] = Elems.f32(x.shape(), gx);
        return r;
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
