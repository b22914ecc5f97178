package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EltwiseTest {
    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    @Test
    void stridedCopyMatchesIndexing() {
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 200; t++) {
            int stride = 1 + r.nextInt(3);
            int n = r.nextInt(80);
            int xo = r.nextInt(5);
            float[] x = random(r, xo + n * stride + r.nextInt(3));
            int yo = r.nextInt(5);
            float[] y = random(r, yo + n + r.nextInt(3));
            float[] want = y.clone();
            for (int j = 0; j < n; j++) {
                want[yo + j] = x[xo + j * stride];
            }
            Eltwise.copyStrided(x, xo, stride, y, yo, n);
            assertArrayEquals(want, y, "stride " + stride + " n " + n);
        }
    }

    @Test
    void fastMatchesPlainLoops() {
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {0, 1, 15, 17, 100, 33_001, 100_003, 2_100_007}) {
            float[] a = random(r, n);
            float[] b = random(r, n);
            float[] want = new float[n];
            float[] got = new float[n];
            Eltwise.addNaive(a, b, want, 0, n);
            Eltwise.add(a, b, got, n);
            assertArrayEquals(want, got);
            for (float[] lohi : new float[][] {{0f, Float.POSITIVE_INFINITY}, {0f, 6f}, {-1f, 0.5f}}) {
                Eltwise.addClampNaive(a, b, want, 0, n, lohi[0], lohi[1]);
                Eltwise.addClamp(a, b, got, n, lohi[0], lohi[1]);
                assertArrayEquals(want, got);
                Eltwise.addClampNaive(a, null, want, 0, n, lohi[0], lohi[1]);
                Eltwise.addClamp(a, null, got, n, lohi[0], lohi[1]);
                assertArrayEquals(want, got);
            }
            // in place into the first input
            for (int i = 0; i < n; i++) {
                want[i] = Math.max(a[i] + b[i], 0f);
            }
            Eltwise.addClamp(a, b, a, n, 0f, Float.POSITIVE_INFINITY);
            assertArrayEquals(want, a);
        }
    }
}
