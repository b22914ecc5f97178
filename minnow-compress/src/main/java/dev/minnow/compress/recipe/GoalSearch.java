package dev.minnow.compress.recipe;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.errors.MinnowException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Goal-driven mode: the smallest (or fastest) model within an accuracy budget, found by searching
 * the amount of the recipe's first prune step (its sparsity, target-macs or target-params). Each
 * trial is the whole recipe with that amount, run by a {@link JobRunner} into its own folder.
 * Bisection on the accuracy budget, assuming accuracy falls as the amount rises: each round tries
 * {@code parallelism} amounts evenly inside the interval still open, between the largest amount
 * that kept the budget and the smallest that broke it. The best trial is the one within the
 * budget with the smallest size (or latency); when none is, the most accurate one, and
 * {@link Outcome#goalMet} says no.
 */
public final class GoalSearch {
    /**
     * What to reach. Exactly one of targetSizeBytes and targetLatencyMs is set.
     *
     * @param maxAccuracyDrop the top-1 the model may lose, as a fraction (0.01 is one point)
     */
    public record Goal(double maxAccuracyDrop, Long targetSizeBytes, Double targetLatencyMs) {
        public Goal {
            if (!(maxAccuracyDrop >= 0 && maxAccuracyDrop < 1)) {
                throw new InvalidInputException("--max-accuracy-drop is a fraction of top-1 in [0, 1) (0.01 is one point),"
                        + " got " + maxAccuracyDrop);
            }
            if ((targetSizeBytes == null) == (targetLatencyMs == null)) {
                throw new InvalidInputException("goal mode needs one target: --target-size or --target-latency");
            }
        }

        boolean bySize() {
            return targetSizeBytes != null;
        }
    }

    /** One trial: the amount given to the prune step and the folder it runs in. */
    public record TrialJob(int index, double amount, String dir) implements Serializable {
    }

    /** What a trial gave; error is set (and the numbers are NaN) when the recipe could not run. */
    public record Trial(int index, double amount, double top1, long sizeBytes, Double latencyMs, String dir, String file,
                        String error) implements Serializable {
        public String label() {
            return String.format("trial %d (%.3f)", index, amount);
        }

        double metric(boolean bySize) {
            return bySize ? sizeBytes : latencyMs == null ? Double.POSITIVE_INFINITY : latencyMs;
        }
    }

    public record Outcome(Trial best, boolean goalMet, boolean withinBudget, double top1Floor, List<Trial> trials,
                          String amountSetting) {
    }

    private GoalSearch() {
    }

    /** The prune step searched and the setting that holds its amount. */
    static int pruneIndex(Recipe r) {
        for (int i = 0; i < r.steps().size(); i++) {
            if (r.steps().get(i).kind() == StepKind.PRUNE) {
                return i;
            }
        }
        throw new InvalidInputException("goal mode searches the amount of the recipe's prune step, and recipe '" + r.name()
                + "' has none; use a recipe with a prune step (deep-compression, prune-channels, edge-int8)");
    }

    static String amountSetting(StepSpec prune) {
        for (String k : List.of("sparsity", "target-macs", "target-params")) {
            if (prune.has(k)) {
                return k;
            }
        }
        throw new InvalidInputException("goal mode needs the prune step to set sparsity, target-macs or target-params");
    }

    /** The recipe with the prune step's amount replaced. */
    public static Recipe withAmount(Recipe r, double amount) {
        int at = pruneIndex(r);
        StepSpec p = r.steps().get(at);
        Map<String, Object> s = new LinkedHashMap<>(p.settings());
        s.put(amountSetting(p), amount);
        List<StepSpec> steps = new ArrayList<>(r.steps());
        steps.set(at, new StepSpec(p.kind(), s, p.line()));
        return new Recipe(r.name(), r.description(), steps, r.source());
    }

    /**
     * Searches with {@code rounds} rounds; trial runs the recipe with an amount in a folder and
     * reports what it measured. top1Before is the model's accuracy before compression.
     */
    public static Outcome search(Recipe recipe, Goal goal, double top1Before, int rounds, String dir, JobRunner runner,
                                 JobRunner.Work<TrialJob, Trial> trial) {
        return search(recipe, goal, top1Before, rounds, dir, runner.parallelism(), jobs -> runner.run(jobs, safe(trial)));
    }

    /**
     * The same search with trials that read one shared input (the model's bytes, the data to load),
     * shipped once per worker: what a cluster runner needs, as the trial cannot capture live objects.
     */
    public static <S extends Serializable, C> Outcome search(Recipe recipe, Goal goal, double top1Before, int rounds,
                                                             String dir, JobRunner runner, S shared,
                                                             JobRunner.SharedWork<S, C, TrialJob, Trial> trial) {
        return search(recipe, goal, top1Before, rounds, dir, runner.parallelism(),
                jobs -> runner.run(shared, jobs, new SafeShared<>(trial), n -> { }));
    }

    private static Outcome search(Recipe recipe, Goal goal, double top1Before, int rounds, String dir, int parallelism,
                                  java.util.function.Function<List<TrialJob>, List<Trial>> runTrials) {
        String setting = amountSetting(recipe.steps().get(pruneIndex(recipe)));
        double floor = top1Before - goal.maxAccuracyDrop();
        double lo = 0;
        double hi = 0.99;
        double start = recipe.steps().get(pruneIndex(recipe)).number(setting, 0.5);
        List<Trial> trials = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<Double> amounts = new ArrayList<>();
            int k = parallelism;
            if (round == 0) {
                amounts.add(start);
                for (int i = 1; i < k; i++) {
                    amounts.add(lo + (hi - lo) * i / k);
                }
            } else {
                for (int i = 1; i <= k; i++) {
                    amounts.add(lo + (hi - lo) * i / (k + 1));
                }
            }
            List<TrialJob> jobs = new ArrayList<>();
            for (double a : amounts) {
                int index = trials.size() + jobs.size() + 1;
                jobs.add(new TrialJob(index, a, dir + "/trial-" + index));
            }
            List<Trial> got = runTrials.apply(jobs);
            trials.addAll(got);
            for (Trial t : got) {
                if (t.error() == null && t.top1() >= floor) {
                    lo = Math.max(lo, t.amount());
                } else {
                    hi = Math.min(hi, t.amount());
                }
            }
            if (hi <= lo) {
                // not monotone here: search above the best amount that kept the budget
                hi = Math.min(0.99, lo + (1 - lo) / 2);
            }
        }
        List<Trial> ok = trials.stream().filter(t -> t.error() == null).toList();
        if (ok.isEmpty()) {
            throw new InvalidInputException("no trial of the search ran: " + trials.getFirst().error());
        }
        List<Trial> within = ok.stream().filter(t -> t.top1() >= floor).toList();
        Trial best = within.isEmpty() ? ok.stream().max(Comparator.comparingDouble(Trial::top1)).orElseThrow()
                : within.stream().min(Comparator.comparingDouble(t -> t.metric(goal.bySize()))).orElseThrow();
        boolean met = !within.isEmpty() && best.metric(goal.bySize())
                <= (goal.bySize() ? goal.targetSizeBytes() : goal.targetLatencyMs());
        return new Outcome(best, met, !within.isEmpty(), floor, List.copyOf(trials), setting);
    }

    /** A trial whose recipe cannot run at its amount (a user-level failure) is a result, not the end of the search. */
    private static JobRunner.Work<TrialJob, Trial> safe(JobRunner.Work<TrialJob, Trial> trial) {
        return job -> {
            try {
                return trial.apply(job);
            } catch (MinnowException e) {
                return new Trial(job.index(), job.amount(), Double.NaN, -1, null, job.dir(), null, e.getMessage());
            }
        };
    }

    private record SafeShared<S, C>(JobRunner.SharedWork<S, C, TrialJob, Trial> trial)
            implements JobRunner.SharedWork<S, C, TrialJob, Trial> {
        @Override
        public C open(S shared) {
            return trial.open(shared);
        }

        @Override
        public Trial apply(C context, TrialJob job) {
            return safe(j -> trial.apply(context, j)).apply(job);
        }
    }
}
