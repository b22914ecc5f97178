package dev.minnow.tensor;

import dev.minnow.errors.ShapeException;
import java.util.Arrays;

/**
 * A dense tensor: a shape, an element type and one flat row-major Java array.
 * Kept deliberately small (STYLE.md 9): kernels work on the arrays, not on Tensor.
 * Tensors are mutable only through their arrays; {@link #reshape} shares storage.
 */
public final class Tensor {
    private final DType dtype;
    private final Shape shape;
    private final Object data;

    private Tensor(DType dtype, Shape shape, Object data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** Wraps an existing storage array (no copy). The array kind must match the dtype. */
    public static Tensor wrap(DType dtype, Shape shape, Object data) {
        int n = shape.sizeInt();
        int len = java.lang.reflect.Array.getLength(data);
        if (len != n) {
            throw new ShapeException("storage of " + len + " elements does not fit shape " + shape + " (" + n + ")");
        }
        Class<?> expected = dtype.allocate(0).getClass();
        if (data.getClass() != expected) {
            throw new ShapeException("storage " + data.getClass().getSimpleName() + " does not match dtype " + dtype.label);
        }
        return new Tensor(dtype, shape, data);
    }

    public static Tensor zeros(DType dtype, Shape shape) {
        return new Tensor(dtype, shape, dtype.allocate(shape.sizeInt()));
    }

    public static Tensor zeros(Shape shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static Tensor of(Shape shape, float... values) {
        return wrap(DType.FLOAT32, shape, values);
    }

    public static Tensor scalar(float v) {
        return new Tensor(DType.FLOAT32, Shape.scalar(), new float[] {v});
    }

    public static Tensor ofLongs(Shape shape, long... values) {
        return wrap(DType.INT64, shape, values);
    }

    public static Tensor ofInts(Shape shape, int... values) {
        return wrap(DType.INT32, shape, values);
    }

    public DType dtype() {
        return dtype;
    }

    public Shape shape() {
        return shape;
    }

    public int size() {
        return java.lang.reflect.Array.getLength(data);
    }

    /** The storage array, whatever its kind. */
    public Object data() {
        return data;
    }

    public float[] floats() {
        return as(float[].class);
    }

    public double[] doubles() {
        return as(double[].class);
    }

    public byte[] bytes() {
        return as(byte[].class);
    }

    public short[] shorts() {
        return as(short[].class);
    }

    public int[] ints() {
        return as(int[].class);
    }

    public long[] longs() {
        return as(long[].class);
    }

    private <T> T as(Class<T> kind) {
        if (!kind.isInstance(data)) {
            throw new ShapeException("tensor is " + dtype.label + ", not " + kind.getComponentType().getSimpleName());
        }
        return kind.cast(data);
    }

    /** Same storage, new shape of the same size. */
    public Tensor reshape(Shape newShape) {
        if (newShape.size() != shape.size()) {
            throw new ShapeException("cannot reshape " + shape + " to " + newShape);
        }
        return new Tensor(dtype, newShape, data);
    }

    public Tensor copy() {
        Object d = switch (data) {
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case short[] a -> a.clone();
            case byte[] a -> a.clone();
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            default -> throw new IllegalStateException();
        };
        return new Tensor(dtype, shape, d);
    }

    /** Element i as a double, for any dtype (16-bit floats decoded). Slow; for small tensors and tests. */
    public double getDouble(int i) {
        return switch (dtype) {
            case FLOAT32 -> floats()[i];
            case FLOAT64 -> doubles()[i];
            case FLOAT16 -> Float.float16ToFloat(shorts()[i]);
            case BFLOAT16 -> Float.intBitsToFloat((shorts()[i] & 0xffff) << 16);
            case INT16 -> shorts()[i];
            case INT8, BOOL -> bytes()[i];
            case UINT8 -> bytes()[i] & 0xff;
            case INT32 -> ints()[i];
            case INT64 -> longs()[i];
        };
    }

    /** Element i as a long (integers exact; floats truncated toward zero). */
    public long getLong(int i) {
        return dtype == DType.INT64 ? longs()[i] : (long) getDouble(i);
    }

    /** A copy converted to another dtype (floats rounded to nearest for integer targets? no: truncated, as ONNX Cast). */
    public Tensor cast(DType to) {
        if (to == dtype) {
            return copy();
        }
        Tensor r = zeros(to, shape);
        int n = size();
        for (int i = 0; i < n; i++) {
            double v = getDouble(i);
            switch (to) {
                case FLOAT32 -> r.floats()[i] = (float) v;
                case FLOAT64 -> r.doubles()[i] = v;
                case FLOAT16 -> r.shorts()[i] = Float.floatToFloat16((float) v);
                case BFLOAT16 -> r.shorts()[i] = bf16((float) v);
                case INT16 -> r.shorts()[i] = (short) (long) v;
                case INT8, UINT8 -> r.bytes()[i] = (byte) (long) v;
                case BOOL -> r.bytes()[i] = (byte) (v != 0 ? 1 : 0);
                case INT32 -> r.ints()[i] = (int) (long) v;
                case INT64 -> r.longs()[i] = dtype == DType.INT64 ? longs()[i] : (long) v;
            }
        }
        return r;
    }

    private static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) 0x7fc0;
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Tensor(").append(dtype.label).append(' ').append(shape);
        int n = Math.min(size(), 8);
        b.append(" [");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? ", " : "").append(getDouble(i));
        }
        return b.append(size() > n ? ", ...])" : "])").toString();
    }

    /** Element-wise equality of dtype, shape and contents. */
    public boolean contentEquals(Tensor o) {
        if (o.dtype != dtype || !o.shape.equals(shape)) {
            return false;
        }
        return switch (data) {
            case float[] a -> Arrays.equals(a, o.floats());
            case double[] a -> Arrays.equals(a, o.doubles());
            case short[] a -> Arrays.equals(a, o.shorts());
            case byte[] a -> Arrays.equals(a, o.bytes());
            case int[] a -> Arrays.equals(a, o.ints());
            case long[] a -> Arrays.equals(a, o.longs());
            default -> false;
        };
    }
}
