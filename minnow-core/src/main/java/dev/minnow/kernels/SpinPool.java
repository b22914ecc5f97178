package dev.minnow.kernels;

import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Worker threads for {@link Parallel#forRange} that spin for a short while after each job before
 * they park. A batch-1 network is a chain of short parallel regions (a MobileNetV2 layer takes
 * 20-200 microseconds); waking a parked thread costs tens of microseconds on a virtual machine,
 * paid once per region. One caller at a time: {@link #tryRun} returns false when another thread
 * holds the workers, and the caller then uses the fork-join pool.
 */
final class SpinPool {
    /** How long an idle worker keeps polling for the next job before it parks. */
    static final long SPIN_NANOS = Long.getLong("minnow.spinMicros", 200) * 1000;

    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private long sequence;
    private volatile boolean stopped;

    SpinPool(int workers) {
        this.workers = new Worker[workers];
        for (int i = 0; i < workers; i++) {
            this.workers[i] = new Worker("minnow-kernel-" + (i + 1));
            this.workers[i].start();
        }
    }

    int workers() {
        return workers.length;
    }

    /**
     * Runs chunk 0 on the calling thread and chunks 1 .. chunks-1 on workers 0 .. chunks-2, and
     * returns when all are done (rethrowing the first failure). False, with nothing run, when
     * the workers are busy with another caller or the pool is shut down.
     */
    boolean tryRun(int chunks, java.util.function.IntConsumer chunk) {
        if (chunks - 1 > workers.length || !lock.tryLock()) {
            return false;
        }
        try {
            if (stopped) {
                return false;
            }
            long seq = ++sequence;
            for (int c = 1; c < chunks; c++) {
                workers[c - 1].post(seq, chunk, c);
            }
            Throwable failure = null;
            try {
                chunk.accept(0);
            } catch (Throwable t) {
                failure = t;
            }
            for (int c = 1; c < chunks; c++) {
                Throwable t = workers[c - 1].await(seq);
                if (failure == null) {
                    failure = t;
                }
            }
            Parallel.rethrow(failure);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the workers once they are idle (after {@link Parallel#setThreads}). A job posted
     * before the stop is seen still runs; a call to {@link #tryRun} after it returns false.
     */
    void shutdown() {
        stopped = true;
        lock.lock();
        lock.unlock();
        for (Worker w : workers) {
            w.stop = true;
            LockSupport.unpark(w);
        }
    }

    private static final class Worker extends Thread {
        private volatile long posted;
        private volatile long done;
        private volatile boolean parked;
        private volatile boolean stop;
        private java.util.function.IntConsumer job;
        private int index;
        private Throwable failure;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        /** Hands over a job (fields first, then the volatile sequence that publishes them). */
        void post(long seq, java.util.function.IntConsumer chunk, int c) {
            job = chunk;
            index = c;
            failure = null;
            posted = seq;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        /**
         * Waits for job seq to finish; its failure or null. No time limit (a chunk may
         * legitimately run for minutes), but a worker that ended without finishing the job
         * fails the wait instead of hanging it.
         */
        Throwable await(long seq) {
            long start = System.nanoTime();
            while (done != seq) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (!isAlive() && done != seq) {
                    return new IllegalStateException("kernel worker " + getName()
                            + " ended before finishing its chunk; this is a bug in Minnow, please report it");
                } else {
                    Thread.yield();
                }
            }
            return failure;
        }

        @Override
        public void run() {
            Parallel.markWorker();
            long seen = 0;
            while (!stop) {
                long start = System.nanoTime();
                while (posted == seen && !stop) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                        continue;
                    }
                    parked = true;
                    if (posted == seen && !stop) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    start = System.nanoTime();
                }
                if (posted == seen) {
                    return; // stopped with nothing posted
                }
                seen = posted;
                try {
                    job.accept(index);
                } catch (Throwable t) {
                    failure = t;
                }
                job = null;
                done = seen;
            }
        }
    }
}
