package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.Shape;

/**
 * Multidirectional (numpy) broadcasting, shared by every element-wise op with more than one
 * input. Shapes are aligned at the right; a dim of 1 stretches; -1 (unknown) stays unknown
 * unless the other side fixes it. Forward reads inputs through an index map; backward sums
 * the output gradient back over the stretched axes with the same map.
 */
final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast result shape of all given shapes; names the op when they do not fit. */
    static Shape shape(String op, Shape... shapes) {
        int rank = 0;
        for (Shape s : shapes) {
            rank = Math.max(rank, s.rank());
        }
        int[] out = new int[rank];
        java.util.Arrays.fill(out, 1);
        for (Shape s : shapes) {
            for (int k = 0; k < s.rank(); k++) {
                int o = rank - s.rank() + k;
                int d = s.dim(k);
                int cur = out[o];
                if (d == 1) {
                    continue;
                }
                if (cur == 1) {
                    out[o] = d;
                } else if (d == Shape.UNKNOWN) {
                    continue;
                } else if (cur == Shape.UNKNOWN) {
                    out[o] = d;
                } else if (cur != d) {
                    throw new ShapeException(op + ": shapes " + java.util.Arrays.toString(shapes)
                            + " cannot be broadcast together (dim " + o + ": " + cur + " vs " + d + ")");
                }
            }
        }
        return Shape.of(out);
    }

    /**
     * For each flat index of {@code out}, the flat index of {@code in} it reads. Null when the
     * shapes are equal (identity), so callers can take the fast path.
     */
    static int[] map(Shape in, Shape out) {
        if (in.equals(out)) {
            return null;
        }
        int n = out.sizeInt();
        int rank = out.rank();
        int[] od = out.dims();
        int[] st = new int[rank];
        int[] is = in.strides();
        for (int k = 0; k < in.rank(); k++) {
            st[rank - in.rank() + k] = in.dim(k) == 1 ? 0 : is[k];
        }
        int[] m = new int[n];
        int[] idx = new int[rank];
        int cur = 0;
        for (int i = 0; i < n; i++) {
            m[i] = cur;
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                cur += st[d];
                if (idx[d] < od[d]) {
                    break;
                }
                cur -= st[d] * od[d];
                idx[d] = 0;
            }
        }
        return m;
    }

    /** Sums a gradient of the broadcast shape {@code out} back to the input shape {@code in}. */
    static float[] reduce(float[] grad, Shape out, Shape in) {
        int[] m = map(in, out);
        if (m == null) {
            return grad.clone();
        }
        float[] r = new float[in.sizeInt()];
        for (int i = 0; i < m.length; i++) {
            r[m[i]] += grad[i];
        }
        return r;
    }
}
