package dev.minnow.compress.prune;

import dev.minnow.tensor.Tensor;

/**
 * Index {@code index} along one axis of a row-major tensor, as {@code outer} runs of
 * {@code inner} contiguous elements: run a starts at {@link #start}(a). A channel's weight row
 * (axis 0) is one run; a weight column (axis 1) is one run per output.
 */
public record AxisSlice(int outer, int inner, int axisSize, int index) {
    public static AxisSlice of(Tensor t, int axis, int index) {
        int[] d = t.shape().dims();
        int outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= d[i];
        }
        int inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        return new AxisSlice(outer, inner, d[axis], index);
    }

    /** Offset of run a (0 <= a < outer). */
    public int start(int a) {
        return (a * axisSize + index) * inner;
    }

    /** Sets every element of the slice to zero. */
    public void zero(float[] x) {
        for (int a = 0; a < outer; a++) {
            java.util.Arrays.fill(x, start(a), start(a) + inner, 0f);
        }
    }
}
