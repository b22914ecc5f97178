package dev.minnow.kernels;

/**
 * Small vector primitives shared by kernels, dispatching to the Vector API when present and to
 * plain loops otherwise (the plain loops are the naive twins).
 */
final class Vec {
    private Vec() {
    }

    /** y[yo .. yo+n) += a * x[xo .. xo+n). */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        if (VectorSupport.AVAILABLE) {
            GemmVector.axpy(a, x, xo, y, yo, n);
            return;
        }
        for (int j = 0; j < n; j++) {
            y[yo + j] += a * x[xo + j];
        }
    }

    /** Sum over k < n of x[xo+k] * y[yo+k]. */
    static float dot(float[] x, int xo, float[] y, int yo, int n) {
        if (VectorSupport.AVAILABLE) {
            return GemmVector.dot(x, xo, y, yo, n);
        }
        float s = 0;
        for (int k = 0; k < n; k++) {
            s += x[xo + k] * y[yo + k];
        }
        return s;
    }

    /** First output index o >= 0 with o*stride + offset >= 0. */
    static int firstValid(int offset, int stride) {
        return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    }

    /** One past the last output index o with o*stride + offset < size (0 if none). */
    static int endValid(int offset, int stride, int size) {
        return size - 1 - offset < 0 ? 0 : (size - 1 - offset) / stride + 1;
    }
}
