package dev.minnow.compress.recipe;

import java.io.Serializable;
import java.util.List;

/**
 * Runs independent jobs (search trials, sweep points) and returns their results in the jobs'
 * order. Jobs and results are plain serializable records, and the work is a serializable
 * function, so a cluster implementation (Spark) can ship them; {@link LocalJobRunner} runs them
 * on local threads.
 */
public interface JobRunner {
    <J extends Serializable, R extends Serializable> List<R> run(List<J> jobs, Work<J, R> work);

    /** How many jobs run at once; the search asks for this many trials per round. */
    int parallelism();

    @FunctionalInterface
    interface Work<J, R> extends Serializable {
        R apply(J job);
    }
}
