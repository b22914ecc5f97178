package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PoolTest {
    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** A random geometry with 1 to 3 spatial dims, odd sizes, padding, dilation and strides. */
    private static PoolGeometry randomGeometry(SplittableRandom r) {
        int rank = 1 + r.nextInt(3);
        int[] in = new int[rank];
        int[] k = new int[rank];
        int[] s = new int[rank];
        int[] pb = new int[rank];
        int[] pe = new int[rank];
        int[] d = new int[rank];
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            in[i] = 1 + r.nextInt(rank == 3 ? 6 : 11);
            k[i] = 1 + r.nextInt(3);
            s[i] = 1 + r.nextInt(3);
            d[i] = 1 + r.nextInt(2);
            int ext = (k[i] - 1) * d[i] + 1;
            pb[i] = r.nextInt(Math.min(ext, 3));
            pe[i] = r.nextInt(Math.min(ext, 3));
            int span = in[i] + pb[i] + pe[i] - ext;
            if (span < 0) {
                pe[i] += -span;
                span = 0;
            }
            out[i] = span / s[i] + 1 + (r.nextInt(4) == 0 && span % s[i] != 0 ? 1 : 0);
        }
        return PoolGeometry.of(1 + r.nextInt(5), in, out, k, s, pb, pe, d);
    }

    @Test
    void maxWithoutArgmaxMatchesNaive() {
        SplittableRandom r = new SplittableRandom(11);
        for (int t = 0; t < 300; t++) {
            PoolGeometry g = randomGeometry(r);
            if (t % 3 == 0) {
                // wide 2-D planes: vector bodies and masked tails of the row reduction
                int inH = 1 + r.nextInt(40);
                int inW = 1 + r.nextInt(70);
                int k = 1 + r.nextInt(4);
                int s = 1 + r.nextInt(3);
                int pad = r.nextInt(k);
                int outH = (inH + 2 * pad - k) / s + 1;
                int outW = (inW + 2 * pad - k) / s + 1;
                if (outH < 1 || outW < 1) {
                    continue;
                }
                g = PoolGeometry.of(1 + r.nextInt(9), new int[] {inH, inW}, new int[] {outH, outW}, new int[] {k, k},
                        new int[] {s, s}, new int[] {pad, pad}, new int[] {pad, pad}, new int[] {1, 1});
            }
            float[] x = random(r, g.inputSize());
            float[] y1 = new float[g.outputSize()];
            float[] y2 = new float[g.outputSize()];
            Pool.maxForward(g, x, y1, null);
            PoolNaive.maxForward(g, x, y2, null);
            assertArrayEquals(y2, y1, g.toString());
        }
    }

    @Test
    void fastMatchesNaiveOnRandomGeometries() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 300; t++) {
            PoolGeometry g = randomGeometry(r);
            float[] x = random(r, g.inputSize());
            float[] dy = random(r, g.outputSize());
            float[] y1 = new float[g.outputSize()];
            float[] y2 = new float[g.outputSize()];
            int[] a1 = new int[g.outputSize()];
            int[] a2 = new int[g.outputSize()];
            Pool.maxForward(g, x, y1, a1);
            PoolNaive.maxForward(g, x, y2, a2);
            assertArrayEquals(y2, y1, g.toString());
            assertArrayEquals(a2, a1, g.toString());
            float[] dx1 = new float[g.inputSize()];
            float[] dx2 = new float[g.inputSize()];
            Pool.maxBackward(g, dy, a1, dx1);
            PoolNaive.maxBackward(g, dy, a2, dx2);
            assertArrayEquals(dx2, dx1, 1e-6f);
            for (boolean include : new boolean[] {false, true}) {
                Pool.avgForward(g, x, y1, include);
                PoolNaive.avgForward(g, x, y2, include);
                assertArrayEquals(y2, y1, 1e-5f, g + " include " + include);
                Pool.avgBackward(g, dy, dx1, include);
                PoolNaive.avgBackward(g, dy, dx2, include);
                assertArrayEquals(dx2, dx1, 1e-5f);
            }
            float p = 1 + r.nextInt(3);
            Pool.lpForward(g, x, y1, p);
            PoolNaive.lpForward(g, x, y2, p);
            assertArrayEquals(y2, y1, 1e-5f);
            Pool.lpBackward(g, x, y1, dy, dx1, p);
            PoolNaive.lpBackward(g, x, y2, dy, dx2, p);
            assertArrayEquals(dx2, dx1, 1e-4f);
        }
    }

    @Test
    void handComputedMaxAndAverage() {
        // 1 plane 3x3, kernel 2x2, stride 1, pad 1 at the bottom/right only
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        PoolGeometry g = PoolGeometry.of(1, new int[] {3, 3}, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
                new int[] {0, 0}, new int[] {1, 1}, new int[] {1, 1});
        float[] y = new float[9];
        Pool.maxForward(g, x, y, null);
        assertArrayEquals(new float[] {5, 6, 6, 8, 9, 9, 8, 9, 9}, y);
        Pool.avgForward(g, x, y, false);
        assertArrayEquals(new float[] {3, 4, 4.5f, 6, 7, 7.5f, 7.5f, 8.5f, 9}, y, 1e-6f);
        Pool.avgForward(g, x, y, true);
        assertArrayEquals(new float[] {3, 4, 9 / 4f, 6, 7, 15 / 4f, 15 / 4f, 17 / 4f, 9 / 4f}, y, 1e-6f);
        Pool.lpForward(g, x, y, 1);
        assertEquals(1 + 2 + 4 + 5, y[0], 1e-6f);
    }
}
