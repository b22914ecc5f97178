package dev.minnow.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one shared thread pool (the only global mutable state Minnow keeps). Kernels split
 * work with {@link #forRange}; {@link #setThreads} is what `--threads` calls. Chunks go to
 * {@link SpinPool}'s spinning workers when they are free, else to a fork-join pool.
 * <p>
 * Resizing is safe while other threads run parallel loops: a loop holds a reference on the
 * pools it started with ({@link Pools}), and {@link #setThreads} only retires the old pools,
 * which shut down when their last loop has finished.
 */
public final class Parallel {
    private static volatile Pools current = new Pools(Math.max(1, Runtime.getRuntime().availableProcessors()));
    /** Set while the calling thread runs a chunk, so nested forRange calls stay inline. */
    private static final ThreadLocal<boolean[]> IN_BODY = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {
    }

    /** Body over a half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /**
     * One generation of pools for one thread count, reference-counted by the loops that use
     * it. state = loops in flight, plus RETIRED once {@link #setThreads} replaced it; the
     * pools shut down exactly once, on the transition to RETIRED with no loop in flight.
     */
    private static final class Pools {
        private static final int RETIRED = 1 << 30;
        final int threads;
        final ForkJoinPool forkJoin;
        /** Spinning workers (threads - 1 of them) tried first; the fork-join pool when they are busy. */
        final SpinPool spin;
        private final AtomicInteger state = new AtomicInteger();

        Pools(int threads) {
            this.threads = threads;
            this.forkJoin = new ForkJoinPool(threads);
            this.spin = threads > 1 ? new SpinPool(threads - 1) : null;
        }

        boolean tryAcquire() {
            for (;;) {
                int s = state.get();
                if (s >= RETIRED) {
                    return false;
                }
                if (state.compareAndSet(s, s + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (state.decrementAndGet() == RETIRED) {
                close();
            }
        }

        void retire() {
            if (state.addAndGet(RETIRED) == RETIRED) {
                close();
            }
        }

        private void close() {
            forkJoin.shutdown();
            if (spin != null) {
                spin.shutdown();
            }
        }
    }

    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new dev.minnow.errors.InvalidInputException("--threads must be at least 1, got " + n);
        }
        Pools old = current;
        if (n != old.threads) {
            current = new Pools(n);
            old.retire();
        }
    }

    /** Marks the calling thread as a kernel worker: forRange calls it makes run inline. */
    static void markWorker() {
        IN_BODY.get()[0] = true;
    }

    public static int threads() {
        return current.threads;
    }

    /**
     * Runs body over [0, n) split into at most threads() contiguous chunks, each at least
     * minChunk long. Runs inline when one chunk suffices, or when the caller is itself running
     * a chunk of an outer forRange (no oversubscription). Returns when every chunk has finished;
     * if any failed, then rethrows the first failure (chunk 0's before the others').
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        boolean[] inBody = IN_BODY.get();
        Pools p = current;
        int chunks = Math.min(p.threads, Math.max(1, n / Math.max(1, minChunk)));
        if (chunks <= 1 || inBody[0] || Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == p.forkJoin) {
            body.run(0, n);
            return;
        }
        while (!p.tryAcquire()) {
            p = current;
        }
        try {
            run(p, Math.min(p.threads, chunks), n, body, inBody);
        } finally {
            p.release();
        }
    }

    private static void run(Pools p, int chunks, int n, RangeBody body, boolean[] inBody) {
        SpinPool sp = p.spin;
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
        List<Future<?>> fs = new ArrayList<>(chunks);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            fs.add(p.forkJoin.submit(() -> {
                boolean[] mine = IN_BODY.get();
                mine[0] = true;
                try {
                    body.run(from, to);
                } finally {
                    mine[0] = false;
                }
            }));
        }
        Throwable failure = null;
        inBody[0] = true;
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (Throwable t) {
            failure = t;
        } finally {
            inBody[0] = false;
        }
        // every chunk is awaited, even after a failure, so none is still running when we return
        boolean interrupted = false;
        for (Future<?> f : fs) {
            for (;;) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = first(failure, e.getCause());
                    break;
                } catch (java.util.concurrent.CancellationException e) {
                    failure = first(failure, e);
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        rethrow(failure);
    }

    private static Throwable first(Throwable failure, Throwable next) {
        if (failure == null) {
            return next;
        }
        if (next != null && next != failure) {
            failure.addSuppressed(next);
        }
        return failure;
    }

    static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error er) {
            throw er;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }
}
