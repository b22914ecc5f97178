package dev.minnow.kernels;

/**
 * Shapes of a pooling window over planes of up to three spatial dimensions. 1-D and 2-D pooling
 * use size 1 (kernel 1, stride 1, no padding) for the leading spatial dimensions.
 * Layout: x is [planes, inD, inH, inW], y is [planes, outD, outH, outW], where planes = N * C.
 * Pads are given at the front/top/left (begin) and back/bottom/right (end) of each axis.
 */
public record PoolGeometry(int planes, int inD, int inH, int inW, int outD, int outH, int outW,
                           int kernelD, int kernelH, int kernelW, int strideD, int strideH, int strideW,
                           int padFront, int padTop, int padLeft, int padBack, int padBottom, int padRight,
                           int dilationD, int dilationH, int dilationW) {

    public int inPlane() {
        return inD * inH * inW;
    }

    public int outPlane() {
        return outD * outH * outW;
    }

    public int inputSize() {
        return planes * inPlane();
    }

    public int outputSize() {
        return planes * outPlane();
    }

    /** Builds a geometry from per-axis arrays of 1 to 3 spatial dimensions (leading ones padded with 1). */
    public static PoolGeometry of(int planes, int[] in, int[] out, int[] kernel, int[] strides,
                                  int[] padBegin, int[] padEnd, int[] dilations) {
        int r = in.length;
        if (r < 1 || r > 3) {
            throw new IllegalArgumentException("pooling supports 1 to 3 spatial dimensions, got " + r);
        }
        int[][] v = {in, out, kernel, strides, padBegin, padEnd, dilations};
        int[] dflt = {1, 1, 1, 1, 0, 0, 1};
        int[][] p = new int[7][3];
        for (int a = 0; a < 7; a++) {
            for (int i = 0; i < 3; i++) {
                int j = i - (3 - r);
                p[a][i] = j < 0 ? dflt[a] : v[a][j];
            }
        }
        return new PoolGeometry(planes, p[0][0], p[0][1], p[0][2], p[1][0], p[1][1], p[1][2],
                p[2][0], p[2][1], p[2][2], p[3][0], p[3][1], p[3][2],
                p[4][0], p[4][1], p[4][2], p[5][0], p[5][1], p[5][2], p[6][0], p[6][1], p[6][2]);
    }
}
