package dev.minnow.graph.ops;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Dtype-generic element moves shared by the shape and indexing ops. Index maps give, for
 * each output element, the flat index of the input element it copies (-1: a fill value).
 */
public final class Elems {
    private Elems() {
    }

    /** out[i] = src[idx[i]], or fill where idx[i] < 0; any storage kind. */
    public static Tensor gather(Tensor src, int[] idx, Shape outShape, double fill) {
        Tensor fillT = Tensor.wrap(DType.FLOAT64, Shape.of(1), new double[] {fill}).cast(src.dtype());
        Object out = switch (src.data()) {
            case float[] a -> {
                float[] r = new float[idx.length];
                float f = fillT.floats()[0];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? f : a[idx[i]];
                }
                yield r;
            }
            case double[] a -> {
                double[] r = new double[idx.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? fill : a[idx[i]];
                }
                yield r;
            }
            case short[] a -> {
                short[] r = new short[idx.length];
                short f = fillT.shorts()[0];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? f : a[idx[i]];
                }
                yield r;
            }
            case byte[] a -> {
                byte[] r = new byte[idx.length];
                byte f = fillT.bytes()[0];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? f : a[idx[i]];
                }
                yield r;
            }
            case int[] a -> {
                int[] r = new int[idx.length];
                int f = fillT.ints()[0];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? f : a[idx[i]];
                }
                yield r;
            }
            case long[] a -> {
                long[] r = new long[idx.length];
                long f = fillT.longs()[0];
                for (int i = 0; i < r.length; i++) {
                    r[i] = idx[i] < 0 ? f : a[idx[i]];
                }
                yield r;
            }
            default -> throw new IllegalStateException("unknown storage " + src.data().getClass());
        };
        return Tensor.wrap(src.dtype(), outShape, out);
    }

    /** The adjoint of {@link #gather}: dst[idx[i]] += g[i] (fill positions dropped). */
    public static float[] scatterAdd(float[] g, int[] idx, int dstSize) {
        float[] r = new float[dstSize];
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] >= 0) {
                r[idx[i]] += g[i];
            }
        }
        return r;
    }

    /** The elements as doubles (a copy), any dtype. */
    public static double[] doubles(Tensor t) {
        if (t.dtype() == DType.FLOAT32) {
            float[] f = t.floats();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        return t.dtype() == DType.FLOAT64 ? t.doubles().clone() : t.cast(DType.FLOAT64).doubles();
    }

    /** A tensor of the given dtype from doubles (integers truncated toward zero, as ONNX Cast). */
    public static Tensor fromDoubles(DType dtype, Shape shape, double[] v) {
        if (dtype == DType.FLOAT32) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return Tensor.wrap(DType.FLOAT32, shape, f);
        }
        Tensor d = Tensor.wrap(DType.FLOAT64, shape, v);
        return dtype == DType.FLOAT64 ? d : d.cast(dtype);
    }

    /** The elements of an integer (or any) tensor as longs, for shape-carrying inputs. */
    public static long[] longs(Tensor t) {
        if (t.dtype() == DType.INT64) {
            return t.longs().clone();
        }
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = t.getLong(i);
        }
        return r;
    }

    /** A float32 tensor of the given shape wrapping an array. */
    public static Tensor f32(Shape shape, float[] v) {
        return Tensor.wrap(DType.FLOAT32, shape, v);
    }
}
