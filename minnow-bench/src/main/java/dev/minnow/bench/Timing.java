package dev.minnow.bench;

import dev.minnow.kernels.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Best-of timing for the quick mains. With one thread every kernel runs on the calling thread,
 * so its CPU time is measured: that excludes the time the OS gave to other processes on a
 * shared machine (cache sharing still shows). With more threads, wall time.
 */
final class Timing {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Timing() {
    }

    static boolean cpuTime() {
        return Parallel.threads() == 1 && THREADS.isCurrentThreadCpuTimeSupported();
    }

    static String clock() {
        return cpuTime() ? "thread CPU time" : "wall time";
    }

    /**
     * Highest rate (units per nanosecond) of runs timed runs of body, after at least as many
     * warm-up runs and at least a second of them: until C2 has compiled a Vector API kernel it
     * runs many times slower, and fifteen runs of a large layer are over before that happens.
     */
    static double bestRate(double units, int runs, Runnable body) {
        long end = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; i < runs || System.nanoTime() < end; i++) {
            body.run();
        }
        boolean cpu = cpuTime();
        double best = 0;
        for (int i = 0; i < runs; i++) {
            long t = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            body.run();
            long dt = (cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t;
            best = Math.max(best, units / Math.max(1, dt));
        }
        return best;
    }
}
