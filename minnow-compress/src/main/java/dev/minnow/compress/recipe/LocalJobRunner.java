package dev.minnow.compress.recipe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Jobs on local threads. One at a time by default: each trial trains and evaluates with kernels
 * that already use every core, so running two at once on a small machine only shares the cores.
 */
public final class LocalJobRunner implements JobRunner {
    private final int threads;

    public LocalJobRunner(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public <S extends Serializable, C, J extends Serializable, R extends Serializable> List<R> run(
            S shared, List<J> jobs, SharedWork<S, C, J, R> work, IntConsumer done) {
        // one context per thread, each over a contiguous batch: the same cut a cluster runner makes
        AtomicInteger finished = new AtomicInteger();
        List<ArrayList<J>> batches = JobRunner.batches(jobs, threads).stream().map(ArrayList::new).toList();
        List<ArrayList<R>> parts = run(batches, batch -> {
            C context = work.open(shared);
            ArrayList<R> out = new ArrayList<>();
            for (J j : batch) {
                out.add(work.apply(context, j));
                int n = finished.incrementAndGet();
                synchronized (done) {
                    done.accept(n);
                }
            }
            return out;
        });
        List<R> results = new ArrayList<>();
        parts.forEach(results::addAll);
        return results;
    }

    @Override
    public <J extends Serializable, R extends Serializable> List<R> run(List<J> jobs, Work<J, R> work) {
        if (threads == 1) {
            return jobs.stream().map(work::apply).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<R>> futures = new ArrayList<>();
            for (J j : jobs) {
                futures.add(pool.submit(() -> work.apply(j)));
            }
            List<R> results = new ArrayList<>();
            for (Future<R> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
