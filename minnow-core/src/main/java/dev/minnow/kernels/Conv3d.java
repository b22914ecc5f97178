package dev.minnow.kernels;

/**
 * 3-D convolution as a sum of 2-D convolutions over the depth taps, so it runs on the
 * {@link Conv2d} kernels. Legend: x [N, C, D, H, W], w [M, C/groups, kD, kH, kW],
 * y [N, M, oD, oH, oW]. {@code plane} is the 2-D geometry of one depth slice (its batch is N);
 * {@code depth} the depth axis. Output depth od reads input depth od * stride - padFront + kd * dilation.
 */
public final class Conv3d {
    private Conv3d() {
    }

    /** The depth axis of a 3-D convolution. */
    public record Depth(int inD, int outD, int kernelD, int strideD, int padFront, int dilationD) {
        int input(int od, int kd) {
            return od * strideD - padFront + kd * dilationD;
        }
    }

    /** Copies slice d of a [N, C, D, plane] array into [N, C, plane]. */
    private static float[] slice(float[] a, int n, int c, int depth, int plane, int d) {
        float[] r = new float[n * c * plane];
        for (int i = 0; i < n * c; i++) {
            System.arraycopy(a, (i * depth + d) * plane, r, i * plane, plane);
        }
        return r;
    }

    /** Adds [N, C, plane] into slice d of a [N, C, D, plane] array. */
    private static void addSlice(float[] a, int n, int c, int depth, int plane, int d, float[] s) {
        for (int i = 0; i < n * c; i++) {
            int o = (i * depth + d) * plane;
            for (int j = 0; j < plane; j++) {
                a[o + j] += s[i * plane + j];
            }
        }
    }

    private static int inPlane(ConvGeometry g) {
        return g.inH() * g.inW();
    }

    private static int outPlane(ConvGeometry g) {
        return g.outH() * g.outW();
    }

    private static int kernelPlane(ConvGeometry g) {
        return g.kernelH() * g.kernelW();
    }

    /** Visits every (kernel depth kd, output depth od) pair whose input depth id lies inside the input. */
    private interface Tap {
        void at(int kd, int od, int id);
    }

    private static void forEachTap(Depth depth, Tap body) {
        for (int kd = 0; kd < depth.kernelD(); kd++) {
            for (int od = 0; od < depth.outD(); od++) {
                int id = depth.input(od, kd);
                if (id >= 0 && id < depth.inD()) {
                    body.at(kd, od, id);
                }
            }
        }
    }

    /** The 2-D weight slices w[:, :, kd] for every kd. */
    private static float[][] weightSlices(ConvGeometry plane, Depth depth, float[] w) {
        float[][] r = new float[depth.kernelD()][];
        for (int kd = 0; kd < r.length; kd++) {
            r[kd] = slice(w, plane.outChannels(), plane.inChannelsPerGroup(), depth.kernelD(), kernelPlane(plane), kd);
        }
        return r;
    }

    public static void forward(ConvGeometry plane, Depth depth, float[] x, float[] w, float[] bias, float[] y) {
        java.util.Arrays.fill(y, 0f);
        float[] part = new float[plane.outputSize()];
        float[][] wk = weightSlices(plane, depth, w);
        forEachTap(depth, (kd, od, id) -> {
            Conv2d.forward(plane, slice(x, plane.batch(), plane.inChannels(), depth.inD(), inPlane(plane), id), wk[kd], null, part);
            addSlice(y, plane.batch(), plane.outChannels(), depth.outD(), outPlane(plane), od, part);
        });
        if (bias != null) {
            int per = depth.outD() * outPlane(plane);
            for (int i = 0; i < y.length; i++) {
                y[i] += bias[(i / per) % plane.outChannels()];
            }
        }
    }

    /** dx (overwritten) from dy. */
    public static void backwardInput(ConvGeometry plane, Depth depth, float[] dy, float[] w, float[] dx) {
        java.util.Arrays.fill(dx, 0f);
        float[] part = new float[plane.inputSize()];
        float[][] wk = weightSlices(plane, depth, w);
        forEachTap(depth, (kd, od, id) -> {
            Conv2d.backwardInput(plane, slice(dy, plane.batch(), plane.outChannels(), depth.outD(), outPlane(plane), od),
                    wk[kd], part);
            addSlice(dx, plane.batch(), plane.inChannels(), depth.inD(), inPlane(plane), id, part);
        });
    }

    /** dw and dbias (nullable) overwritten. */
    public static void backwardWeight(ConvGeometry plane, Depth depth, float[] x, float[] dy, float[] dw, float[] dbias) {
        java.util.Arrays.fill(dw, 0f);
        float[] part = new float[plane.weightSize()];
        forEachTap(depth, (kd, od, id) -> {
            Conv2d.backwardWeight(plane, slice(x, plane.batch(), plane.inChannels(), depth.inD(), inPlane(plane), id),
                    slice(dy, plane.batch(), plane.outChannels(), depth.outD(), outPlane(plane), od), part, null);
            addSlice(dw, plane.outChannels(), plane.inChannelsPerGroup(), depth.kernelD(), kernelPlane(plane), kd, part);
        });
        if (dbias != null) {
            java.util.Arrays.fill(dbias, 0f);
            int per = depth.outD() * outPlane(plane);
            for (int i = 0; i < dy.length; i++) {
                dbias[(i / per) % plane.outChannels()] += dy[i];
            }
        }
    }
}
