package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared pool: every index once, failures reach the caller, nesting and concurrent callers. */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceForAnyThreadCount() {
        int before = Parallel.threads();
        try {
            for (int t = 1; t <= 4; t++) {
                Parallel.setThreads(t);
                for (int n : new int[] {0, 1, 2, 3, 7, 64, 1000}) {
                    for (int minChunk : new int[] {1, 3, 100}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                        for (int round = 0; round < 50; round++) {
                            Parallel.forRange(n, minChunk, (from, to) -> {
                                for (int i = from; i < to; i++) {
                                    hits.incrementAndGet(i);
                                }
                            });
                        }
                        for (int i = 0; i < n; i++) {
                            assertEquals(50, hits.get(i), "threads=" + t + " n=" + n + " minChunk=" + minChunk + " i=" + i);
                        }
                    }
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        int before = Parallel.threads();
        Parallel.setThreads(3);
        try {
            for (int bad : new int[] {0, 50, 99}) {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(100, 1,
                        (from, to) -> {
                            if (from <= bad && bad < to) {
                                throw new IllegalStateException("chunk with " + bad);
                            }
                        }));
                assertEquals("chunk with " + bad, e.getMessage());
            }
            // the pool still works after failures
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            Parallel.forRange(10, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 10; i++) {
                assertEquals(1, hits.get(i));
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void nestedAndConcurrentCallsComplete() throws Exception {
        int before = Parallel.threads();
        Parallel.setThreads(2);
        ExecutorService callers = Executors.newFixedThreadPool(3);
        try {
            List<Future<Long>> sums = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                sums.add(callers.submit(() -> {
                    AtomicIntegerArray cells = new AtomicIntegerArray(64 * 64);
                    for (int round = 0; round < 200; round++) {
                        Parallel.forRange(64, 1, (a0, a1) -> {
                            for (int a = a0; a < a1; a++) {
                                final int row = a;
                                Parallel.forRange(64, 1, (b0, b1) -> {
                                    for (int b = b0; b < b1; b++) {
                                        cells.incrementAndGet(row * 64 + b);
                                    }
                                });
                            }
                        });
                    }
                    long s = 0;
                    for (int i = 0; i < cells.length(); i++) {
                        s += cells.get(i);
                    }
                    return s;
                }));
            }
            for (Future<Long> f : sums) {
                assertEquals(200L * 64 * 64, f.get());
            }
        } finally {
            callers.shutdownNow();
            Parallel.setThreads(before);
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void resizingWhileOtherThreadsRunLoopsLosesNoChunk() throws Exception {
        // callers run parallel loops (nested ones too) while the main thread resizes the pool;
        // every loop must run every index exactly once and return (a retired pool must not drop
        // or refuse a chunk, and no caller may wait forever)
        int before = Parallel.threads();
        ExecutorService callers = Executors.newFixedThreadPool(3);
        AtomicBoolean resizing = new AtomicBoolean(true);
        try {
            List<Future<Integer>> loops = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                final int caller = c;
                loops.add(callers.submit(() -> {
                    int done = 0;
                    for (int round = 0; round < 400 || resizing.get() && round < 100_000; round++) {
                        int n = 17 + (round * 31 + caller * 7) % 500;
                        long[] cells = new long[n];
                        Parallel.forRange(n, 1, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                final int row = i;
                                Parallel.forRange(3, 1, (a, b) -> {
                                    for (int k = a; k < b; k++) {
                                        synchronized (cells) {
                                            cells[row] += k + 1;
                                        }
                                    }
                                });
                            }
                        });
                        for (int i = 0; i < n; i++) {
                            if (cells[i] != 6) {
                                throw new AssertionError("caller " + caller + " round " + round + ": index " + i
                                        + " summed " + cells[i] + ", not 6");
                            }
                        }
                        done++;
                    }
                    return done;
                }));
            }
            for (int r = 0; r < 300; r++) {
                Parallel.setThreads(1 + r % 4);
                Thread.sleep(0, 200_000);
            }
            resizing.set(false);
            for (Future<Integer> f : loops) {
                try {
                    assertTrue(f.get(30, TimeUnit.SECONDS) >= 400);
                } catch (TimeoutException e) {
                    throw new AssertionError("a parallel loop did not return within 30 s while the pool was resized");
                }
            }
        } finally {
            resizing.set(false);
            callers.shutdownNow();
            Parallel.setThreads(before);
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aFailureInChunkZeroWaitsForTheOtherChunks() throws Exception {
        // the spinning workers are held by another caller, so this loop takes the fork-join path;
        // when its chunk 0 fails, the call must still return only after chunk 1 has finished
        int before = Parallel.threads();
        Parallel.setThreads(2);
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> Parallel.forRange(2, 1, (from, to) -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            holder.start();
            assertTrue(holding.await(30, TimeUnit.SECONDS), "the holder occupies both threads");
            AtomicBoolean chunkOneDone = new AtomicBoolean();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(2, 1, (from, to) -> {
                if (from == 0) {
                    throw new IllegalStateException("chunk 0");
                }
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                chunkOneDone.set(true);
            }));
            assertEquals("chunk 0", e.getMessage());
            assertTrue(chunkOneDone.get(), "chunk 1 had finished when the failure reached the caller");
        } finally {
            release.countDown();
            holder.join(30_000);
            Parallel.setThreads(before);
        }
    }

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aShutDownSpinPoolRefusesNewWorkAndFinishesPostedWork() {
        SpinPool pool = new SpinPool(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(3);
        assertTrue(pool.tryRun(3, hits::incrementAndGet));
        pool.shutdown();
        assertFalse(pool.tryRun(3, hits::incrementAndGet), "no work is taken after shutdown");
        for (int c = 0; c < 3; c++) {
            assertEquals(1, hits.get(c));
        }
    }
}
