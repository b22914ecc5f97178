package dev.minnow.graph.ops.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Shared pieces of the quantized ops: integer element types and their ranges, widening to int,
 * round-half-to-even with saturation, and which scale / zero-point entry each element uses
 * (per tensor, per axis, or per block along the axis, as ONNX QuantizeLinear defines).
 */
final class Quant {
    private Quant() {
    }

    static boolean isInteger(DType d) {
        return d == DType.INT8 || d == DType.UINT8 || d == DType.INT16 || d == DType.INT32;
    }

    static long min(DType d) {
        return switch (d) {
            case UINT8 -> 0;
            case INT8 -> -128;
            case INT16 -> Short.MIN_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            default -> throw new ShapeException("not an integer quantization type: " + d.label);
        };
    }

    static long max(DType d) {
        return switch (d) {
            case UINT8 -> 255;
            case INT8 -> 127;
            case INT16 -> Short.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            default -> throw new ShapeException("not an integer quantization type: " + d.label);
        };
    }

    /** Integer tensor values widened to int (uint8 as 0..255). */
    static int[] ints(Tensor t) {
        int n = t.size();
        int[] r = new int[n];
        switch (t.dtype()) {
            case UINT8 -> {
                byte[] b = t.bytes();
                for (int i = 0; i < n; i++) {
                    r[i] = b[i] & 0xff;
                }
            }
            case INT8 -> {
                byte[] b = t.bytes();
                for (int i = 0; i < n; i++) {
                    r[i] = b[i];
                }
            }
            case INT16 -> {
                short[] s = t.shorts();
                for (int i = 0; i < n; i++) {
                    r[i] = s[i];
                }
            }
            case INT32 -> System.arraycopy(t.ints(), 0, r, 0, n);
            default -> throw new ShapeException("expected an int8, uint8, int16 or int32 tensor, got " + t.dtype().label);
        }
        return r;
    }

    /** Zero points as ints; all zeros (of length 1) when the tensor is absent. */
    static int[] zeroPoints(Tensor zp) {
        return zp == null ? new int[1] : ints(zp);
    }

    /** Round half to even, add the zero point, saturate to the type's range. */
    static long quantize(double v, long zeroPoint, DType d) {
        double r = Math.rint(v) + zeroPoint;
        return (long) Math.max(min(d), Math.min(max(d), r));
    }

    /** A tensor of dtype d holding already saturated values. */
    static Tensor tensor(DType d, Shape shape, long[] v) {
        Tensor t = Tensor.zeros(d, shape);
        for (int i = 0; i < v.length; i++) {
            switch (d) {
                case UINT8, INT8 -> t.bytes()[i] = (byte) v[i];
                case INT16 -> t.shorts()[i] = (short) v[i];
                case INT32 -> t.ints()[i] = (int) v[i];
                default -> throw new ShapeException("not an integer quantization type: " + d.label);
            }
        }
        return t;
    }

    /**
     * Maps an element of x to its scale / zero-point entry: one entry (per tensor), one per index
     * of axis (per axis, 1-D parameters), or, with blockSize > 0, parameters of x's rank whose axis
     * dimension counts blocks of blockSize.
     */
    record ParamIndex(int count, int inner, int axisDim, int blockSize, int[] xDims, int[] pStrides, int axis) {
        static ParamIndex of(String op, Shape x, Shape p, long axisAttr, int blockSize) {
            int n = (int) p.size();
            int rank = x.rank();
            if (n == 1 && blockSize == 0) {
                return new ParamIndex(1, 1, 1, 0, null, null, 0);
            }
            int axis = (int) (axisAttr < 0 ? axisAttr + rank : axisAttr);
            if (axis < 0 || axis >= rank) {
                throw new ShapeException(op + ": axis " + axisAttr + " is out of range for input " + x);
            }
            int[] d = x.dims();
            int inner = 1;
            for (int i = axis + 1; i < rank; i++) {
                inner *= d[i];
            }
            if (blockSize == 0) {
                if (p.rank() != 1 || n != d[axis]) {
                    throw new ShapeException(op + ": per-axis scale / zero point " + p + " must be [" + d[axis]
                            + "] for input " + x + " and axis " + axis);
                }
                return new ParamIndex(n, inner, d[axis], 0, null, null, axis);
            }
            if (p.rank() != rank || p.dim(axis) != (d[axis] + blockSize - 1) / blockSize) {
                throw new ShapeException(op + ": blocked scale " + p + " does not match input " + x + " with block_size "
                        + blockSize + " along axis " + axis);
            }
            return new ParamIndex(n, inner, d[axis], blockSize, d, p.strides(), axis);
        }

        int at(int i) {
            if (count == 1) {
                return 0;
            }
            if (blockSize == 0) {
                return (i / inner) % axisDim;
            }
            int idx = 0;
            int rem = i;
            for (int k = xDims.length - 1; k >= 0; k--) {
                int c = rem % xDims[k];
                rem /= xDims[k];
                idx += (k == axis ? c / blockSize : c) * pStrides[k];
            }
            return idx;
        }
    }
}
