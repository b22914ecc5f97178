package dev.minnow.spark;

import dev.minnow.compress.recipe.JobRunner;
import dev.minnow.compress.recipe.JobRunnerProvider;

/** Registered in META-INF/services: `--spark MASTER` finds Spark through this. */
public final class SparkRunnerProvider implements JobRunnerProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public JobRunner open(String master) {
        return new SparkJobRunner(master);
    }
}
