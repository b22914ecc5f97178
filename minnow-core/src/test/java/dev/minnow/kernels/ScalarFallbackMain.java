package dev.minnow.kernels;

import java.util.SplittableRandom;

/**
 * Run by {@link ScalarFallbackTest} in a JVM started without jdk.incubator.vector: checks the
 * kernels against their naive twins there and prints "available=false ok" (exit 1 otherwise).
 */
public final class ScalarFallbackMain {
    private ScalarFallbackMain() {
    }

    public static void main(String[] args) {
        SplittableRandom rnd = new SplittableRandom(1);
        float worst = 0;
        int[][] gemms = {{1, 40, 33}, {37, 29, 70}, {130, 70, 300}};
        for (int[] s : gemms) {
            float[] a = GemmTest.random(rnd, s[0] * s[2]);
            float[] b = GemmTest.random(rnd, s[2] * s[1]);
            float[] want = new float[s[0] * s[1]];
            float[] got = new float[s[0] * s[1]];
            GemmNaive.sgemm(false, true, s[0], s[1], s[2], 1f, a, 0, s[2], b, 0, s[2], 0f, want, 0, s[1]);
            Gemm.sgemm(false, true, s[0], s[1], s[2], 1f, a, 0, s[2], b, 0, s[2], 0f, got, 0, s[1]);
            worst = Math.max(worst, maxDiff(want, got));
        }
        ConvGeometry[] convs = {ConvGeometry.of(2, 5, 9, 8, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            ConvGeometry.of(1, 6, 11, 11, 6, 3, 3, 2, 2, 1, 0, 1, 2, 1, 1, 6)};
        for (ConvGeometry g : convs) {
            float[] x = GemmTest.random(rnd, g.inputSize());
            float[] w = GemmTest.random(rnd, g.weightSize());
            float[] want = new float[g.outputSize()];
            float[] got = new float[g.outputSize()];
            Conv2dNaive.forward(g, x, w, null, want);
            Conv2d.forward(g, x, w, null, got);
            worst = Math.max(worst, maxDiff(want, got));
            float[] dxWant = new float[g.inputSize()];
            float[] dxGot = new float[g.inputSize()];
            Conv2dNaive.backwardInput(g, want, w, dxWant);
            Conv2d.backwardInput(g, want, w, dxGot);
            worst = Math.max(worst, maxDiff(dxWant, dxGot));
        }
        // channel-last depthwise (scalar rows) and a 1x1 conv reading NHWC
        worst = Math.max(worst, NhwcConvTest.check(rnd, ConvGeometry.of(2, 19, 7, 6, 19, 3, 3, 2, 1, 1, 0, 1, 2, 1, 2, 19),
                true, true, true, true));
        worst = Math.max(worst, NhwcConvTest.check(rnd, ConvGeometry.of(2, 9, 5, 3, 13, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1),
                true, false, true, false));
        boolean ok = worst < 1e-3f;
        System.out.println("available=" + VectorSupport.AVAILABLE + (ok ? " ok" : " mismatch " + worst));
        System.exit(ok ? 0 : 1);
    }

    private static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
