package dev.minnow.cli;

import java.util.Arrays;

/** Warm-up and alternating timing for comparisons inside one process (the sparse sweep). */
final class BenchTimer {
    private BenchTimer() {
    }

    /** Runs body at least runs times and for at least seconds. */
    static void warm(Runnable body, int runs, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; i < runs || System.nanoTime() < end; i++) {
            body.run();
        }
    }

    /**
     * Median milliseconds of a and of b, run alternately in blocks of about 50 ms each for about
     * seconds in total (at least three blocks each), so that both see the same machine conditions.
     */
    static double[] alternate(Runnable a, Runnable b, double seconds) {
        long t0 = System.nanoTime();
        a.run();
        b.run();
        double pairMs = Math.max(1e-3, (System.nanoTime() - t0) / 1e6);
        int block = (int) Math.max(1, Math.min(1000, 50 / pairMs));
        double[] ta = new double[200_000];
        double[] tb = new double[200_000];
        int n = 0;
        int blocks = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while ((System.nanoTime() < end || blocks < 3) && n + block <= ta.length) {
            time(a, ta, n, block);
            time(b, tb, n, block);
            n += block;
            blocks++;
        }
        return new double[] {median(Arrays.copyOf(ta, n)), median(Arrays.copyOf(tb, n))};
    }

    private static void time(Runnable body, double[] t, int from, int count) {
        for (int i = from; i < from + count; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
