package dev.minnow.kernels;

/**
 * The convolution kernels every op calls (same contract as {@link Conv2dNaive}).
 * For now they delegate to the reference; the fast algorithms (im2col + GEMM, 1x1 as GEMM,
 * depthwise direct, Winograd) replace the bodies without changing these signatures.
 */
public final class Conv2d {
    private Conv2d() {
    }

    public static void forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y) {
        Conv2dNaive.forward(g, x, w, bias, y);
    }

    public static void backwardInput(ConvGeometry g, float[] dy, float[] w, float[] dx) {
        Conv2dNaive.backwardInput(g, dy, w, dx);
    }

    public static void backwardWeight(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] dbias) {
        Conv2dNaive.backwardWeight(g, x, dy, dw, dbias);
    }
}
