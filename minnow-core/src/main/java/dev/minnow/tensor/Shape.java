package dev.minnow.tensor;

import dev.minnow.errors.ShapeException;
import java.util.Arrays;

/** Immutable tensor shape, row-major. A dimension of -1 is unknown (for example a symbolic batch size). */
public final class Shape {
    public static final int UNKNOWN = -1;
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d < UNKNOWN) {
                throw new ShapeException("negative dimension " + d + " in shape " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    public static Shape of(long... dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] > Integer.MAX_VALUE) {
                throw new ShapeException("dimension " + dims[i] + " is too large (limit " + Integer.MAX_VALUE + ")");
            }
            d[i] = (int) dims[i];
        }
        return of(d);
    }

    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    public long[] dimsLong() {
        long[] r = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            r[i] = dims[i];
        }
        return r;
    }

    public boolean isStatic() {
        for (int d : dims) {
            if (d == UNKNOWN) {
                return false;
            }
        }
        return true;
    }

    /** Number of elements (Long.MAX_VALUE when the product overflows); throws for unknown dimensions. */
    public long size() {
        long n = 1;
        for (int d : dims) {
            if (d == UNKNOWN) {
                throw new ShapeException("shape " + this + " has an unknown dimension");
            }
            // saturate instead of wrapping: callers compare sizes against limits
            n = Math.multiplyHigh(n, d) != 0 || n * d < 0 ? Long.MAX_VALUE : n * d;
        }
        return n;
    }

    /** Number of elements as an int array length; throws when it cannot be allocated as one array. */
    public int sizeInt() {
        long n = size();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ShapeException("tensor of shape " + this + " has " + n + " elements, more than one array can hold");
        }
        return (int) n;
    }

    public Shape withDim(int axis, int value) {
        int[] d = dims.clone();
        d[axis < 0 ? d.length + axis : axis] = value;
        return new Shape(d);
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] s = new int[dims.length];
        int acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 0);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(dims[i] == UNKNOWN ? "?" : String.valueOf(dims[i]));
        }
        return b.append(']').toString();
    }
}
