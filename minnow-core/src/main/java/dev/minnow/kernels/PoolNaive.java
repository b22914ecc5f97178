package dev.minnow.kernels;

import java.util.Arrays;

/**
 * Reference pooling by direct loops with a bounds check per window element; the oracle for
 * {@link Pool}. Layout and legend in {@link PoolGeometry}: x [planes, inD, inH, inW],
 * y [planes, outD, outH, outW]. Padding never contributes a value; for average pooling it
 * counts in the divisor only when countIncludePad (then the divisor is the number of window
 * positions inside the padded input).
 */
public final class PoolNaive {
    private PoolNaive() {
    }

    /** Calls body(plane, outIndex, inIndexOrMinus1, insidePaddedInput) for every window element. */
    private interface Visit {
        void at(int p, int o, int i, boolean padded);
    }

    private static void forEachWindowElement(PoolGeometry g, Visit v) {
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outD(); od++) {
                for (int oh = 0; oh < g.outH(); oh++) {
                    for (int ow = 0; ow < g.outW(); ow++) {
                        int o = p * g.outPlane() + (od * g.outH() + oh) * g.outW() + ow;
                        for (int kd = 0; kd < g.kernelD(); kd++) {
                            int id = od * g.strideD() - g.padFront() + kd * g.dilationD();
                            for (int kh = 0; kh < g.kernelH(); kh++) {
                                int ih = oh * g.strideH() - g.padTop() + kh * g.dilationH();
                                for (int kw = 0; kw < g.kernelW(); kw++) {
                                    int iw = ow * g.strideW() - g.padLeft() + kw * g.dilationW();
                                    boolean inside = id >= 0 && id < g.inD() && ih >= 0 && ih < g.inH() && iw >= 0 && iw < g.inW();
                                    boolean padded = id >= -g.padFront() && id < g.inD() + g.padBack()
                                            && ih >= -g.padTop() && ih < g.inH() + g.padBottom()
                                            && iw >= -g.padLeft() && iw < g.inW() + g.padRight();
                                    v.at(p, o, inside ? p * g.inPlane() + (id * g.inH() + ih) * g.inW() + iw : -1, padded);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** y = max over each window; argmax (nullable) = index of the first maximum within its plane, -1 if none. */
    public static void maxForward(PoolGeometry g, float[] x, float[] y, int[] argmax) {
        Arrays.fill(y, 0, g.outputSize(), Float.NEGATIVE_INFINITY);
        int[] best = new int[g.outputSize()];
        Arrays.fill(best, -1);
        forEachWindowElement(g, (p, o, i, padded) -> {
            if (i >= 0 && (best[o] < 0 || x[i] > y[o])) {
                y[o] = x[i];
                best[o] = i;
            }
        });
        if (argmax != null) {
            for (int o = 0; o < best.length; o++) {
                argmax[o] = best[o] < 0 ? -1 : best[o] - (o / g.outPlane()) * g.inPlane();
            }
        }
    }

    /** dx = gradient of max pooling, routed to the argmax of each window (dx overwritten). */
    public static void maxBackward(PoolGeometry g, float[] dy, int[] argmax, float[] dx) {
        Arrays.fill(dx, 0, g.inputSize(), 0f);
        for (int o = 0; o < g.outputSize(); o++) {
            if (argmax[o] >= 0) {
                dx[(o / g.outPlane()) * g.inPlane() + argmax[o]] += dy[o];
            }
        }
    }

    private static int[] divisors(PoolGeometry g, boolean countIncludePad) {
        int[] n = new int[g.outputSize()];
        forEachWindowElement(g, (p, o, i, padded) -> {
            if (countIncludePad ? padded : i >= 0) {
                n[o]++;
            }
        });
        return n;
    }

    public static void avgForward(PoolGeometry g, float[] x, float[] y, boolean countIncludePad) {
        int[] n = divisors(g, countIncludePad);
        double[] acc = new double[g.outputSize()];
        forEachWindowElement(g, (p, o, i, padded) -> {
            if (i >= 0) {
                acc[o] += x[i];
            }
        });
        for (int o = 0; o < acc.length; o++) {
            y[o] = (float) (acc[o] / Math.max(1, n[o]));
        }
    }

    /** dx overwritten. */
    public static void avgBackward(PoolGeometry g, float[] dy, float[] dx, boolean countIncludePad) {
        int[] n = divisors(g, countIncludePad);
        Arrays.fill(dx, 0, g.inputSize(), 0f);
        forEachWindowElement(g, (p, o, i, padded) -> {
            if (i >= 0) {
                dx[i] += dy[o] / Math.max(1, n[o]);
            }
        });
    }

    /** y = (sum |x|^p)^(1/p) over each window (padding counts as 0). */
    public static void lpForward(PoolGeometry g, float[] x, float[] y, float p) {
        double[] acc = new double[g.outputSize()];
        forEachWindowElement(g, (pl, o, i, padded) -> {
            if (i >= 0) {
                acc[o] += Math.pow(Math.abs(x[i]), p);
            }
        });
        for (int o = 0; o < acc.length; o++) {
            y[o] = (float) Math.pow(acc[o], 1.0 / p);
        }
    }

    /** dx = dy * |x|^(p-1) * sign(x) / y^(p-1) (0 where y is 0); dx overwritten. */
    public static void lpBackward(PoolGeometry g, float[] x, float[] y, float[] dy, float[] dx, float p) {
        Arrays.fill(dx, 0, g.inputSize(), 0f);
        forEachWindowElement(g, (pl, o, i, padded) -> {
            if (i >= 0 && y[o] != 0) {
                dx[i] += (float) (dy[o] * Math.signum(x[i]) * Math.pow(Math.abs(x[i]), p - 1) / Math.pow(y[o], p - 1));
            }
        });
    }
}
