package dev.minnow.graph.ops.tensor;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.ops.ReshapeLike;
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

    /**
     * A cheaper form of {@link #map} for loops: the output as outer x block elements, where
     * inside a block every input either runs contiguously (step 1) or repeats one element
     * (step 0). Input k's element for output o * block + j is base[k][o] + j * step[k]. For
     * a bias [C, 1, 1] added to [N, C, H, W] the block is H * W and base has N * C entries.
     */
    record Plan(int outer, int block, int[][] base, int[] step) {
    }

    static Plan plan(Shape out, Shape... ins) {
        int rank = out.rank();
        int[] od = out.dims();
        int[][] st = new int[ins.length][rank];
        for (int k = 0; k < ins.length; k++) {
            int[] is = ins[k].strides();
            for (int i = 0; i < ins[k].rank(); i++) {
                st[k][rank - ins[k].rank() + i] = ins[k].dim(i) == 1 ? 0 : is[i];
            }
        }
        int[] mode = new int[ins.length];
        java.util.Arrays.fill(mode, -1);
        int block = 1;
        int d = rank - 1;
        for (; d >= 0; d--) {
            if (od[d] != 1 && !extends_(st, d, block, mode)) {
                break;
            }
            block *= od[d];
        }
        int outerDims = d + 1;
        int outer = ReshapeLike.product(od, 0, outerDims);
        int[][] base = new int[ins.length][outer];
        int[] idx = new int[outerDims];
        int[] off = new int[ins.length];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < ins.length; k++) {
                base[k][o] = off[k];
            }
            for (int i = outerDims - 1; i >= 0; i--) {
                idx[i]++;
                for (int k = 0; k < ins.length; k++) {
                    off[k] += st[k][i];
                }
                if (idx[i] < od[i]) {
                    break;
                }
                for (int k = 0; k < ins.length; k++) {
                    off[k] -= st[k][i] * od[i];
                }
                idx[i] = 0;
            }
        }
        int[] step = new int[ins.length];
        for (int k = 0; k < ins.length; k++) {
            step[k] = mode[k] == 0 ? 0 : 1;
        }
        return new Plan(outer, block, base, step);
    }

    /** Whether dim d keeps every input's block mode (contiguous: stride = block, repeated: 0), fixing undecided modes. */
    private static boolean extends_(int[][] st, int d, int block, int[] mode) {
        int[] want = mode.clone();
        for (int k = 0; k < st.length; k++) {
            int s = st[k][d];
            int m = s == 0 ? 0 : s == block ? 1 : -2;
            if (m == -2 || want[k] != -1 && want[k] != m) {
                return false;
            }
            want[k] = m;
        }
        System.arraycopy(want, 0, mode, 0, mode.length);
        return true;
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
