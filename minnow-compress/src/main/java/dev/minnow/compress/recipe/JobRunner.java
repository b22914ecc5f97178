package dev.minnow.compress.recipe;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Runs independent jobs (search trials, sweep points) and returns their results in the jobs'
 * order. Jobs and results are plain serializable records, and the work is a serializable
 * function, so a cluster implementation (Spark, in the minnow-spark module, found through
 * {@link JobRunnerProvider}) can ship them; {@link LocalJobRunner} runs them on local threads.
 */
public interface JobRunner extends AutoCloseable {
    <J extends Serializable, R extends Serializable> List<R> run(List<J> jobs, Work<J, R> work);

    /**
     * Runs jobs that all read one large input (a model, held-out data): {@code shared} is shipped
     * once per worker (a Spark broadcast), {@link SharedWork#open} turns it into a context once per
     * batch of jobs (parse the model once, not once per job), and {@code done} hears, on the
     * caller's side, how many jobs have finished so far. Results come back in the jobs' order.
     */
    default <S extends Serializable, C, J extends Serializable, R extends Serializable> List<R> run(
            S shared, List<J> jobs, SharedWork<S, C, J, R> work, IntConsumer done) {
        List<R> results = new ArrayList<>();
        for (List<J> batch : batches(jobs, parallelism())) {
            C context = work.open(shared);
            results.addAll(run(batch, j -> work.apply(context, j)));
            done.accept(results.size());
        }
        return results;
    }

    /** How many jobs run at once; the search asks for this many trials per round. */
    int parallelism();

    /** Where the jobs run, for messages ("local", "spark local[2]"). */
    default String describe() {
        return "local";
    }

    /** Releases the cluster connection, if any. */
    @Override
    default void close() {
    }

    @FunctionalInterface
    interface Work<J, R> extends Serializable {
        R apply(J job);
    }

    /** Work over a shared input: open makes a per-worker context from it, apply runs one job. */
    interface SharedWork<S, C, J, R> extends Serializable {
        C open(S shared);

        R apply(C context, J job);
    }

    /** The jobs cut into at most {@code n} contiguous batches of nearly equal size, in order. */
    static <J> List<List<J>> batches(List<J> jobs, int n) {
        int k = Math.max(1, Math.min(n, jobs.size()));
        List<List<J>> r = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int from = (int) ((long) i * jobs.size() / k);
            int to = (int) ((long) (i + 1) * jobs.size() / k);
            if (to > from) {
                r.add(List.copyOf(jobs.subList(from, to)));
            }
        }
        return r;
    }
}
