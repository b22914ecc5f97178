package dev.minnow.train;

import dev.minnow.errors.InvalidInputException;

/**
 * Learning rate per optimizer step, as a function of the optimizer's base rate and the
 * progress of training. Steps are counted from 0 over the whole run (all epochs).
 */
public sealed interface LrSchedule {
    /**
     * @param baseLr        the optimizer's learning rate
     * @param step          0-based optimizer step
     * @param stepsPerEpoch optimizer steps in one epoch (at least 1)
     * @param totalSteps    optimizer steps in the whole run (at least 1)
     */
    double lr(double baseLr, long step, long stepsPerEpoch, long totalSteps);

    String describe();

    static LrSchedule constant() {
        return new Constant();
    }

    /** Multiplies the rate by gamma every {@code stepEpochs} epochs (PyTorch StepLR). */
    static LrSchedule step(int stepEpochs, double gamma) {
        if (stepEpochs < 1 || !(gamma > 0)) {
            throw new InvalidInputException("step schedule needs a step of at least 1 epoch and gamma > 0, got "
                    + stepEpochs + " and " + gamma);
        }
        return new Step(stepEpochs, gamma);
    }

    /** Cosine annealing from the base rate down to minLr at the last step. */
    static LrSchedule cosine(double minLr) {
        if (!(minLr >= 0)) {
            throw new InvalidInputException("cosine schedule needs a minimum rate >= 0, got " + minLr);
        }
        return new Cosine(minLr);
    }

    /**
     * Linear warm-up from baseLr / warmupSteps to baseLr over the first warmupSteps steps, then
     * {@code then}, which sees steps (and the total) counted from the end of the warm-up.
     */
    static LrSchedule warmup(long warmupSteps, LrSchedule then) {
        if (warmupSteps < 1) {
            throw new InvalidInputException("warm-up needs at least 1 step, got " + warmupSteps);
        }
        return new Warmup(warmupSteps, then);
    }

    record Constant() implements LrSchedule {
        @Override
        public double lr(double baseLr, long step, long stepsPerEpoch, long totalSteps) {
            return baseLr;
        }

        @Override
        public String describe() {
            return "constant";
        }
    }

    record Step(int stepEpochs, double gamma) implements LrSchedule {
        @Override
        public double lr(double baseLr, long step, long stepsPerEpoch, long totalSteps) {
            long epoch = step / Math.max(1, stepsPerEpoch);
            return baseLr * Math.pow(gamma, epoch / stepEpochs);
        }

        @Override
        public String describe() {
            return "step(every=" + stepEpochs + " epochs, gamma=" + gamma + ")";
        }
    }

    record Cosine(double minLr) implements LrSchedule {
        @Override
        public double lr(double baseLr, long step, long stepsPerEpoch, long totalSteps) {
            double last = Math.max(1, totalSteps - 1);
            double progress = Math.min(1, step / last);
            return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }

        @Override
        public String describe() {
            return "cosine(min=" + minLr + ")";
        }
    }

    record Warmup(long warmupSteps, LrSchedule then) implements LrSchedule {
        @Override
        public double lr(double baseLr, long step, long stepsPerEpoch, long totalSteps) {
            if (step < warmupSteps) {
                return baseLr * (step + 1) / warmupSteps;
            }
            return then.lr(baseLr, step - warmupSteps, stepsPerEpoch, Math.max(1, totalSteps - warmupSteps));
        }

        @Override
        public String describe() {
            return "warmup(" + warmupSteps + " steps) then " + then.describe();
        }
    }
}
