package dev.minnow.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * The one shared thread pool (the only global mutable state Minnow keeps). Kernels split
 * work with {@link #forRange}; {@link #setThreads} is what `--threads` calls. Chunks go to
 * {@link SpinPool}'s spinning workers when they are free, else to a fork-join pool.
 */
public final class Parallel {
    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static volatile ForkJoinPool pool = new ForkJoinPool(threads);
    /** Spinning workers (threads - 1 of them) tried first; the fork-join pool when they are busy. */
    private static volatile SpinPool spin = threads > 1 ? new SpinPool(threads - 1) : null;
    /** Set while the calling thread runs its own chunk, so nested forRange calls stay inline. */
    private static final ThreadLocal<boolean[]> IN_BODY = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {
    }

    /** Body over a half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new dev.minnow.errors.InvalidInputException("--threads must be at least 1, got " + n);
        }
        if (n != threads) {
            ForkJoinPool old = pool;
            SpinPool oldSpin = spin;
            threads = n;
            pool = new ForkJoinPool(n);
            spin = n > 1 ? new SpinPool(n - 1) : null;
            old.shutdown();
            if (oldSpin != null) {
                oldSpin.shutdown();
            }
        }
    }

    /** Marks the calling thread as a kernel worker: forRange calls it makes run inline. */
    static void markWorker() {
        IN_BODY.get()[0] = true;
    }

    public static int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) split into at most threads() contiguous chunks, each at least
     * minChunk long. Runs inline when one chunk suffices, when already on a pool thread, or
     * when the caller is itself running a chunk of an outer forRange (no oversubscription).
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        int t = threads;
        int chunks = Math.min(t, Math.max(1, n / Math.max(1, minChunk)));
        boolean[] inBody = IN_BODY.get();
        if (chunks <= 1 || inBody[0]
                || Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == pool) {
            body.run(0, n);
            return;
        }
        SpinPool sp = spin;
        if (sp != null && sp.tryRun(chunks, c -> {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            if (c != 0) {
                body.run(from, to);
                return;
            }
            inBody[0] = true;
            try {
                body.run(from, to);
            } finally {
                inBody[0] = false;
            }
        })) {
            return;
        }
        ForkJoinPool p = pool;
        List<Future<?>> fs = new ArrayList<>(chunks);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            fs.add(p.submit(() -> body.run(from, to)));
        }
        inBody[0] = true;
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            inBody[0] = false;
        }
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                if (e.getCause() instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
