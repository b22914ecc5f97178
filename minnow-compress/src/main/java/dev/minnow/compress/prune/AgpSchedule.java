package dev.minnow.compress.prune;

import dev.minnow.errors.InvalidInputException;

/**
 * Automated gradual pruning (Zhu & Gupta 2017): sparsity rises from s0 to the final sf over n
 * pruning steps, fast at first and slowly at the end, s_t = sf + (s0 - sf) * (1 - t / n)^3;
 * fine-tuning between steps lets the network recover. One-shot is n = 1; iterative pruning
 * with equal steps is {@link #linear}.
 */
public record AgpSchedule(double initial, double target, int steps, boolean cubic) {
    public AgpSchedule {
        SparsityPatterns.checkFraction(initial);
        SparsityPatterns.checkFraction(target);
        if (steps < 1) {
            throw new InvalidInputException("a pruning schedule needs at least 1 step, got " + steps);
        }
        if (initial > target) {
            throw new InvalidInputException("the initial sparsity " + initial + " is above the target " + target);
        }
    }

    public static AgpSchedule agp(double target, int steps) {
        return new AgpSchedule(0, target, steps, true);
    }

    public static AgpSchedule linear(double target, int steps) {
        return new AgpSchedule(0, target, steps, false);
    }

    public static AgpSchedule oneShot(double target) {
        return new AgpSchedule(0, target, 1, false);
    }

    /** Sparsity after step t (1-based; step {@code steps} reaches the target). */
    public double sparsityAt(int t) {
        if (t < 1 || t > steps) {
            throw new IllegalArgumentException("step " + t + " outside 1.." + steps);
        }
        double f = (double) t / steps;
        return cubic ? target + (initial - target) * Math.pow(1 - f, 3) : initial + (target - initial) * f;
    }
}
