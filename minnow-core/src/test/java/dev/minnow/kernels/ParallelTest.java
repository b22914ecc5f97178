package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
