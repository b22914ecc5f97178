package dev.minnow.spark;

import dev.minnow.compress.recipe.JobRunner;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Jobs as Apache Spark tasks. The jobs become an RDD cut into one partition per task slot, the
 * shared input (model bytes, held-out data) is broadcast once, each partition opens its context
 * once, and the results are collected in the jobs' order. Any spark.* system property (for
 * example -Dspark.jars for a real cluster, whose executors need the Minnow jars) reaches the
 * SparkConf.
 */
public final class SparkJobRunner implements JobRunner {
    private final JavaSparkContext sc;
    private final String master;

    public SparkJobRunner(String master) {
        SparkConf conf = new SparkConf(true).setMaster(master).setAppName("minnow");
        // a command-line run does not need Spark's web UI (nor the port it would take)
        conf.setIfMissing("spark.ui.enabled", "false");
        this.sc = new JavaSparkContext(conf);
        this.master = master;
    }

    @Override
    public int parallelism() {
        return sc.defaultParallelism();
    }

    @Override
    public String describe() {
        return "spark " + master;
    }

    @Override
    public <J extends Serializable, R extends Serializable> List<R> run(List<J> jobs, Work<J, R> work) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        return sc.parallelize(jobs, Math.min(jobs.size(), parallelism())).map(work::apply).collect();
    }

    @Override
    public <S extends Serializable, C, J extends Serializable, R extends Serializable> List<R> run(
            S shared, List<J> jobs, SharedWork<S, C, J, R> work, IntConsumer done) {
        if (jobs.isEmpty()) {
            return List.of();
        }
        List<ArrayList<J>> batches = JobRunner.batches(jobs, parallelism()).stream().map(ArrayList::new).toList();
        Broadcast<S> input = sc.broadcast(shared);
        TaskCounter counter = new TaskCounter(batches, done);
        sc.sc().addSparkListener(counter);
        try {
            List<ArrayList<R>> parts = sc.parallelize(batches, batches.size()).map(batch -> runBatch(input, work, batch))
                    .collect();
            List<R> results = new ArrayList<>();
            parts.forEach(results::addAll);
            done.accept(results.size());
            return results;
        } finally {
            sc.sc().removeSparkListener(counter);
            input.destroy();
        }
    }

    // static: the task closure must capture only the broadcast and the work, not this runner
    private static <S, C, J, R> ArrayList<R> runBatch(Broadcast<S> input, SharedWork<S, C, J, R> work, List<J> batch) {
        C context = work.open(input.value());
        ArrayList<R> out = new ArrayList<>(batch.size());
        for (J j : batch) {
            out.add(work.apply(context, j));
        }
        return out;
    }

    @Override
    public void close() {
        sc.close();
    }

    /** Progress on the driver: a partition that finishes has done its batch's jobs. */
    private static final class TaskCounter extends SparkListener {
        private final List<? extends List<?>> batches;
        private final IntConsumer done;
        private final Set<Integer> finished = ConcurrentHashMap.newKeySet();
        private final AtomicInteger jobs = new AtomicInteger();

        TaskCounter(List<? extends List<?>> batches, IntConsumer done) {
            this.batches = batches;
            this.done = done;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            int index = end.taskInfo().index();
            if (end.taskInfo().successful() && index < batches.size() && finished.add(index)) {
                int n = jobs.addAndGet(batches.get(index).size());
                synchronized (done) {
                    done.accept(n);
                }
            }
        }
    }
}
