package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import java.util.ServiceLoader;

/**
 * A cluster {@link JobRunner} found at run time through {@link ServiceLoader}, so the command line
 * does not depend on (or load) the cluster's libraries: minnow-spark registers one named "spark"
 * in META-INF/services, and it is on the class path only when the launcher is asked for it.
 */
public interface JobRunnerProvider {
    /** The name asked for ("spark"). */
    String name();

    /** A runner connected to {@code master} (for Spark: local[2], spark://host:7077, ...). */
    JobRunner open(String master);

    /** A runner of the provider called {@code name}, or an error saying how to put it on the class path. */
    static JobRunner open(String name, String master) {
        return require(name).open(master);
    }

    /** The provider called {@code name} (checked before long work, so a missing module fails at once). */
    static JobRunnerProvider require(String name) {
        for (JobRunnerProvider p : ServiceLoader.load(JobRunnerProvider.class)) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new InvalidInputException("--" + name + " needs the minnow-" + name + " module, which is not on the class"
                + " path: run the launcher as MINNOW_SPARK=1 ./minnow ... (it builds minnow-" + name + " and adds Spark;"
                + " see docs/COMPRESS.md, Scale-out with Spark)");
    }
}
