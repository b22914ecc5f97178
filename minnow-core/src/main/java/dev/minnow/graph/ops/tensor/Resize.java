package dev.minnow.graph.ops.tensor;

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
 * Resize (opset 10+) and Upsample (opsets 7-9): nearest, linear and cubic interpolation, any
 * axes, from scales or sizes, with every coordinate_transformation_mode, nearest_mode,
 * exclude_outside, keep_aspect_ratio_policy and antialias (opset 18+). Before opset 11 (and
 * for Upsample) coordinates are asymmetric and nearest takes floor when upsampling and ceil
 * when downsampling, as ONNX Runtime does.
 * <p>Interpolation is separable: one 1-D pass per resized axis, from the last axis to the first,
 * each output sample a weighted sum of input samples along that axis (ONNX reference
 * semantics). The op is linear in X, so backward applies the transposed passes in reverse.
 * MACs: one per output element and interpolation tap.
 */
final class Resize extends AbstractOp {
    private final boolean upsample;
    private final String mode;
    private final String coordMode;
    private final String nearestMode;
    private final double cubicA;
    private final boolean excludeOutside;
    private final double extrapolation;
    private final boolean antialias;
    private final long[] axesAttr;
    private final String aspectPolicy;
    private final double[] attrScales;

    Resize(String type, Attributes a) {
        super(type, a);
        upsample = type.equals("Upsample");
        mode = a.getString("mode", "nearest");
        if (!List.of("nearest", "linear", "cubic", "bilinear").contains(mode) || upsample && mode.equals("cubic")) {
            throw unsupported("mode", mode, upsample ? "nearest, linear" : "nearest, linear, cubic");
        }
        boolean legacy = upsample || opset < 11;
        coordMode = legacy ? "asymmetric" : a.getString("coordinate_transformation_mode", "half_pixel");
        if (!List.of("half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
                "tf_half_pixel_for_nn", "tf_crop_and_resize").contains(coordMode)) {
            throw unsupported("coordinate_transformation_mode", coordMode,
                    "half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric, tf_half_pixel_for_nn, tf_crop_and_resize");
        }
        nearestMode = legacy ? "simple" : a.getString("nearest_mode", "round_prefer_floor");
        if (!List.of("simple", "round_prefer_floor", "round_prefer_ceil", "floor", "ceil").contains(nearestMode)) {
            throw unsupported("nearest_mode", nearestMode, "round_prefer_floor, round_prefer_ceil, floor, ceil");
        }
        cubicA = a.getFloat("cubic_coeff_a", -0.75);
        excludeOutside = a.getInt("exclude_outside", 0) != 0;
        extrapolation = a.getFloat("extrapolation_value", 0);
        antialias = a.getInt("antialias", 0) != 0;
        axesAttr = a.getInts("axes", null);
        aspectPolicy = a.getString("keep_aspect_ratio_policy", "stretch");
        if (!List.of("stretch", "not_larger", "not_smaller").contains(aspectPolicy)) {
            throw unsupported("keep_aspect_ratio_policy", aspectPolicy, "stretch, not_larger, not_smaller");
        }
        attrScales = a.getFloats("scales", null);
    }

    /** Output sizes, the scale used for coordinates, and the roi, per axis. */
    private record Geometry(int[] out, double[] scale, double[] roiStart, double[] roiEnd) {
    }

    private Tensor scalesInput(Tensor[] in) {
        if (upsample) {
            return opset >= 9 ? input(in, 1) : null;
        }
        Tensor s = opset < 11 ? input(in, 1) : input(in, 2);
        return s == null || s.size() == 0 ? null : s;
    }

    private Tensor sizesInput(Tensor[] in) {
        Tensor s = upsample || opset < 11 ? null : input(in, 3);
        return s == null || s.size() == 0 ? null : s;
    }

    /** Null when scales and sizes are not both known (shape inference without constants). */
    private Geometry geometry(Shape x, Tensor[] in) {
        int rank = x.rank();
        int[] axes = new int[axesAttr == null ? rank : axesAttr.length];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = axesAttr == null ? i : axis(axesAttr[i], rank);
        }
        int[] out = x.dims();
        double[] scale = new double[rank];
        java.util.Arrays.fill(scale, 1);
        Tensor scales = scalesInput(in);
        Tensor sizes = sizesInput(in);
        if (upsample && opset < 9) {
            scales = attrScales == null ? null : Elems.fromDoubles(DType.FLOAT32, Shape.of(attrScales.length), attrScales.clone());
        }
        if (scales != null) {
            if (scales.size() != axes.length) {
                throw shapeError("scales has " + scales.size() + " values for " + axes.length + " axes");
            }
            for (int i = 0; i < axes.length; i++) {
                double s = (float) scales.getDouble(i);
                if (!(s > 0) || s == Double.POSITIVE_INFINITY) {
                    throw shapeError("scale " + s + " must be positive and finite");
                }
                scale[axes[i]] = s;
                out[axes[i]] = x.dim(axes[i]) < 0 ? -1 : outSize(Math.floor(s * x.dim(axes[i])), axes[i]);
            }
        } else if (sizes != null) {
            if (sizes.size() != axes.length) {
                throw shapeError("sizes has " + sizes.size() + " values for " + axes.length + " axes");
            }
            double common = aspectPolicy.equals("not_larger") ? Double.MAX_VALUE : 0;
            for (int i = 0; i < axes.length; i++) {
                long size = sizes.getLong(i);
                if (size < 0 || size > Integer.MAX_VALUE) {
                    throw shapeError("size " + size + " for axis " + axes[i] + " is negative or larger than "
                            + Integer.MAX_VALUE);
                }
                double s = (double) size / x.dim(axes[i]);
                common = aspectPolicy.equals("not_larger") ? Math.min(common, s) : Math.max(common, s);
                scale[axes[i]] = s;
                out[axes[i]] = (int) size;
            }
            if (!aspectPolicy.equals("stretch")) {
                for (int a : axes) {
                    scale[a] = common;
                    out[a] = x.dim(a) < 0 ? -1 : outSize(Math.rint(common * x.dim(a)), a);
                }
            }
        } else {
            return null;
        }
        for (int a : axes) {
            if (x.dim(a) == 0 && out[a] > 0) {
                throw shapeError("cannot resize axis " + a + " of size 0 to " + out[a] + ": there are no values to interpolate");
            }
        }
        double[] roiStart = new double[rank];
        double[] roiEnd = new double[rank];
        java.util.Arrays.fill(roiEnd, 1);
        Tensor roi = upsample || opset < 11 ? null : input(in, 1);
        if (coordMode.equals("tf_crop_and_resize") && roi != null && roi.size() > 0) {
            int n = roi.size() / 2;
            for (int i = 0; i < n; i++) {
                int a = n == axes.length ? axes[i] : i;
                roiStart[a] = roi.getDouble(i);
                roiEnd[a] = roi.getDouble(i + n);
            }
        }
        return new Geometry(out, scale, roiStart, roiEnd);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor[] c = constants(inputs, constants);
        Geometry g = geometry(x.shape(), c);
        if (g == null) {
            int[] d = new int[x.shape().rank()];
            java.util.Arrays.fill(d, Shape.UNKNOWN);
            return List.of(new TensorType(x.dtype(), Shape.of(d)));
        }
        return List.of(new TensorType(x.dtype(), Shape.of(g.out())));
    }

    /** Output size along axis from its real value, refused when no tensor could have it. */
    private int outSize(double size, int axis) {
        if (!(size >= 0 && size <= Integer.MAX_VALUE)) {
            throw shapeError("resizing axis " + axis + " gives size " + size + ", which is not in [0, " + Integer.MAX_VALUE + "]");
        }
        return (int) size;
    }

    /** One 1-D pass along an axis: output i = sum_k w[i][k] * input[idx[i][k]], or the extrapolation value. */
    private record Pass(int axis, int inLen, int outLen, int[][] idx, double[][] w, boolean[] extrapolate) {
    }

    private Pass pass(int axis, int inLen, int outLen, double scale, double roiStart, double roiEnd) {
        int[][] idx = new int[outLen][];
        double[][] w = new double[outLen][];
        boolean[] extra = new boolean[outLen];
        for (int o = 0; o < outLen; o++) {
            double x = original(o, inLen, outLen, scale, roiStart, roiEnd);
            if (coordMode.equals("tf_crop_and_resize") && (x < 0 || x > inLen - 1)) {
                extra[o] = true;
                idx[o] = new int[0];
                w[o] = new double[0];
                continue;
            }
            taps(x, inLen, scale, idx, w, o);
        }
        return new Pass(axis, inLen, outLen, idx, w, extra);
    }

    /**
     * Input coordinate of output coordinate o (coordinate_transformation_mode). Like the ONNX
     * reference, the modes that divide by the output length use scale * inLen, which is not
     * an integer when the scales do not divide evenly.
     */
    private double original(int o, int inLen, int outLen, double scale, double roiStart, double roiEnd) {
        double outF = scale * inLen;
        return switch (coordMode) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "half_pixel_symmetric" -> {
                double adjustment = outLen / (scale * inLen);
                double center = inLen / 2.0;
                yield center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
            }
            case "pytorch_half_pixel" -> outF > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> outF == 1 ? 0 : o * (inLen - 1.0) / (outF - 1.0);
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
            case "tf_crop_and_resize" -> outF > 1
                    ? roiStart * (inLen - 1) + o * (roiEnd - roiStart) * (inLen - 1) / (outF - 1)
                    : 0.5 * (roiStart + roiEnd) * (inLen - 1);
            default -> o / scale;
        };
    }

    /** Taps at positions x0 + i (clamped to the edge) with the mode's kernel, ratio r in (0, 1]. */
    private void taps(double x, int inLen, double scale, int[][] idxOut, double[][] wOut, int o) {
        if (mode.equals("nearest")) {
            int j = nearest(x, scale);
            idxOut[o] = new int[] {Math.clamp(j, 0, inLen - 1)};
            wOut[o] = new double[] {1};
            return;
        }
        double x0 = Math.floor(x);
        double r = x - x0;
        if (r == 0) {
            r = 1;
            x0 -= 1;
        }
        boolean cubic = mode.equals("cubic");
        double s = antialias && scale < 1 ? scale : 1;
        int start = cubic ? (int) Math.floor(-2 / s) + 1 : (int) Math.floor(-1 / s) + 1;
        int n = 2 - 2 * start;
        int[] idx = new int[n];
        double[] w = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            int i = start + k;
            long pos = (long) x0 + i;
            double arg = s * (i - r);
            double wk = cubic ? cubic(Math.abs(arg)) : Math.max(0, 1 - Math.abs(arg));
            if (excludeOutside && (pos < 0 || pos >= inLen)) {
                wk = 0;
            }
            idx[k] = (int) Math.clamp(pos, 0, inLen - 1);
            w[k] = wk;
            sum += wk;
        }
        if (s < 1 || excludeOutside) {
            for (int k = 0; k < n; k++) {
                w[k] /= sum;
            }
        }
        idxOut[o] = idx;
        wOut[o] = w;
    }

    private double cubic(double x) {
        double a = cubicA;
        if (x <= 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
        }
        return 0;
    }

    private int nearest(double x, double scale) {
        double f = Math.floor(x);
        return (int) switch (nearestMode) {
            case "simple" -> scale < 1 ? Math.ceil(x) : f;
            case "floor" -> f;
            case "ceil" -> Math.ceil(x);
            case "round_prefer_ceil" -> x - f >= 0.5 ? f + 1 : f;
            default -> x - f > 0.5 ? f + 1 : f;
        };
    }

    /**
     * The passes, last axis first. Every intermediate array (doubles) is checked against the
     * allocation bound first: one axis grown before another shrinks can pass both the input
     * and the output size. Callers skip an empty output, whose pass tables could still be huge.
     */
    private List<Pass> passes(Shape x, Geometry g) {
        List<Pass> ps = new java.util.ArrayList<>();
        int[] dims = x.dims();
        for (int a = x.rank() - 1; a >= 0; a--) {
            int in = x.dim(a);
            int out = g.out()[a];
            boolean identity = in == out && g.scale()[a] == 1 && !coordMode.equals("tf_crop_and_resize");
            if (!identity) {
                dims[a] = out;
                checkedElements(dims, Double.BYTES, "the interpolation after resizing axis " + a);
                ps.add(pass(a, in, out, g.scale()[a], g.roiStart()[a], g.roiEnd()[a]));
            }
        }
        return ps;
    }

    /** Applies one pass (or its transpose) to a row-major array of the given dims. */
    private static double[] apply(Pass p, double[] v, int[] dims, boolean transpose, double extrapolation) {
        int outer = ReshapeLike.product(dims, 0, p.axis());
        int inner = ReshapeLike.product(dims, p.axis() + 1, dims.length);
        int from = transpose ? p.outLen() : p.inLen();
        int to = transpose ? p.inLen() : p.outLen();
        double[] r = new double[outer * to * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < p.outLen(); j++) {
                int[] idx = p.idx()[j];
                double[] w = p.w()[j];
                for (int i = 0; i < inner; i++) {
                    if (transpose) {
                        double g = v[(o * from + j) * inner + i];
                        for (int k = 0; k < idx.length; k++) {
                            r[(o * to + idx[k]) * inner + i] += w[k] * g;
                        }
                    } else if (p.extrapolate()[j]) {
                        r[(o * to + j) * inner + i] = extrapolation;
                    } else {
                        double acc = 0;
                        for (int k = 0; k < idx.length; k++) {
                            acc += w[k] * v[(o * from + idx[k]) * inner + i];
                        }
                        r[(o * to + j) * inner + i] = acc;
                    }
                }
            }
        }
        return r;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Geometry g = geometry(x.shape(), inputs);
        if (g == null) {
            throw shapeError("either scales or sizes must be given");
        }
        if (checkedElements(g.out(), Double.BYTES, "the output") == 0) {
            return new Tensor[] {Tensor.zeros(x.dtype(), Shape.of(g.out()))};
        }
        int[] dims = x.shape().dims();
        double[] v = Elems.doubles(x);
        for (Pass p : passes(x.shape(), g)) {
            v = apply(p, v, dims, false, extrapolation);
            dims[p.axis()] = p.outLen();
        }
        if (!x.dtype().isFloating()) {
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.rint(v[i]);
            }
        }
        return new Tensor[] {Elems.fromDoubles(x.dtype(), Shape.of(g.out()), v)};
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
        Geometry g = geometry(x.shape(), inputs);
        if (x.size() == 0 || Shape.of(g.out()).size() == 0) {
            r[0] = Tensor.zeros(DType.FLOAT32, x.shape());
            return r;
        }
        List<Pass> ps = passes(x.shape(), g);
        int[] dims = g.out().clone();
        double[] v = Elems.doubles(gradOutputs[0]);
        for (int k = ps.size() - 1; k >= 0; k--) {
            Pass p = ps.get(k);
            v = apply(p, v, dims, true, 0);
            dims[p.axis()] = p.inLen();
        }
        r[0] = Elems.fromDoubles(DType.FLOAT32, x.shape(), v);
        return r;
    }

    @Override
    public long macs(List<TensorType> inputs, List<TensorType> outputs) {
        int taps = switch (mode) {
            case "nearest" -> 0;
            case "cubic" -> 4;
            default -> 2;
        };
        return elements(outputs.get(0)) * taps * Math.max(1, inputs.get(0).shape().rank() - 2);
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
