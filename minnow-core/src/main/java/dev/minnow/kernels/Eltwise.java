package dev.minnow.kernels;

/**
 * Contiguous element-wise float kernels for inference fast paths (same-shape Add, Relu/Clip, the
 * residual Add followed by Relu): vector loops split over the shared pool. Legend: a, b, y are
 * flat arrays of n elements; y may be a or b (in place). The plain loops here are the naive twins.
 */
public final class Eltwise {
    /**
     * Below this many elements per thread a call runs on the calling thread: a vector pass over a
     * few MB is tens of microseconds, less than waking (or, on a busy machine, waiting for) a
     * pool thread.
     */
    private static final int MIN_CHUNK = 1 << 20;

    private Eltwise() {
    }

    /** y[j] = a[j] + b[j] for j < n. */
    public static void add(float[] a, float[] b, float[] y, int n) {
        Parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            if (VectorSupport.AVAILABLE) {
                EltwiseVector.add(a, b, y, from, to);
            } else {
                addNaive(a, b, y, from, to);
            }
        });
    }

    /** y[j] = min(max(a[j] + b[j], lo), hi) for j < n; b null means y[j] = min(max(a[j], lo), hi). */
    public static void addClamp(float[] a, float[] b, float[] y, int n, float lo, float hi) {
        Parallel.forRange(n, MIN_CHUNK, (from, to) -> {
            if (VectorSupport.AVAILABLE) {
                EltwiseVector.addClamp(a, b, y, from, to, lo, hi);
            } else {
                addClampNaive(a, b, y, from, to, lo, hi);
            }
        });
    }

    /**
     * A per-channel constant added to [N, C, plane] data, then clamped: y[(n C + c) plane + j] =
     * min(max(a[...] + k[c], lo), hi) (lo = -inf, hi = +inf for a plain add). What a residual Add
     * does when the branch it bypasses was removed and left only its constant output.
     */
    public static void addPerChannel(float[] a, float[] k, float[] y, int batch, int channels, int plane, float lo,
                                     float hi) {
        Parallel.forRange(batch * channels, Math.max(1, MIN_CHUNK / Math.max(1, plane)), (from, to) -> {
            for (int p = from; p < to; p++) {
                float v = k[p % channels];
                for (int j = p * plane, end = j + plane; j < end; j++) {
                    y[j] = Math.min(Math.max(a[j] + v, lo), hi);
                }
            }
        });
    }

    /** y[yo+j] = max(y[yo+j], x[xo+j]) for j < n (single-threaded; a building block of pooling). */
    static void max(float[] x, int xo, float[] y, int yo, int n) {
        if (VectorSupport.AVAILABLE) {
            EltwiseVector.max(x, xo, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            y[yo + j] = Math.max(y[yo + j], x[xo + j]);
        }
    }

    /** Per-thread scratch row of {@link #stridedMax}. */
    private static final ThreadLocal<float[][]> SLIDE = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * y[yo+j] = max over k < kernel of x[xo + j*stride + k*dil] for j < n (all indices inside x).
     * The vector path takes the sliding maximum at every position with contiguous loads, then keeps
     * every stride-th one (no lane gathers, which the JIT may not turn into vector instructions).
     */
    static void stridedMax(float[] x, int xo, int stride, int dil, int kernel, float[] y, int yo, int n) {
        if (VectorSupport.AVAILABLE && n > 0) {
            int len = (n - 1) * stride + 1;
            float[][] holder = SLIDE.get();
            if (holder[0].length < len) {
                holder[0] = new float[len];
            }
            float[] t = holder[0];
            System.arraycopy(x, xo, t, 0, len);
            for (int k = 1; k < kernel; k++) {
                EltwiseVector.max(x, xo + k * dil, t, 0, len);
            }
            copyStrided(t, 0, stride, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            float best = x[xo + j * stride];
            for (int k = 1; k < kernel; k++) {
                best = Math.max(best, x[xo + j * stride + k * dil]);
            }
            y[yo + j] = best;
        }
    }

    /** y[yo+j] = x[xo + j*stride] for j < n (stride 2 by vector compress). */
    static void copyStrided(float[] x, int xo, int stride, float[] y, int yo, int n) {
        if (stride == 2 && VectorSupport.AVAILABLE) {
            EltwiseVector.copyEven(x, xo, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            y[yo + j] = x[xo + j * stride];
        }
    }

    static void addNaive(float[] a, float[] b, float[] y, int from, int to) {
        for (int j = from; j < to; j++) {
            y[j] = a[j] + b[j];
        }
    }

    static void addClampNaive(float[] a, float[] b, float[] y, int from, int to, float lo, float hi) {
        for (int j = from; j < to; j++) {
            y[j] = Math.min(Math.max(b == null ? a[j] : a[j] + b[j], lo), hi);
        }
    }

    /** dst[dOff + j * rows + i] = src[i * cols + j]: a rows x cols matrix transposed, in 8 x 8 blocks. */
    static void transpose(float[] src, int rows, int cols, float[] dst, int dOff) {
        for (int i0 = 0; i0 < rows; i0 += 8) {
            int i1 = Math.min(rows, i0 + 8);
            for (int j0 = 0; j0 < cols; j0 += 8) {
                int j1 = Math.min(cols, j0 + 8);
                for (int j = j0; j < j1; j++) {
                    int d = dOff + j * rows;
                    for (int i = i0; i < i1; i++) {
                        dst[d + i] = src[i * cols + j];
                    }
                }
            }
        }
    }
}
