package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.InvalidInputException;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
    @Test
    void constant() {
        assertEquals(0.1, LrSchedule.constant().lr(0.1, 12345, 10, 20000));
    }

    @Test
    void stepDecaysEveryStepEpochs() {
        LrSchedule s = LrSchedule.step(2, 0.5);
        // 10 steps per epoch: epochs 0-1 at 1.0, 2-3 at 0.5, 4-5 at 0.25
        assertEquals(1.0, s.lr(1.0, 0, 10, 100));
        assertEquals(1.0, s.lr(1.0, 19, 10, 100));
        assertEquals(0.5, s.lr(1.0, 20, 10, 100));
        assertEquals(0.5, s.lr(1.0, 39, 10, 100));
        assertEquals(0.25, s.lr(1.0, 40, 10, 100));
    }

    @Test
    void cosineGoesFromBaseToMinimum() {
        LrSchedule s = LrSchedule.cosine(0.1);
        assertEquals(1.0, s.lr(1.0, 0, 5, 11), 1e-12);
        assertEquals(0.55, s.lr(1.0, 5, 5, 11), 1e-12, "half way: (1 + 0.1) / 2");
        assertEquals(0.1, s.lr(1.0, 10, 5, 11), 1e-12);
        // a quarter of the way: 0.1 + 0.9 * (1 + cos(pi/4)) / 2
        assertEquals(0.1 + 0.45 * (1 + Math.sqrt(0.5)), s.lr(1.0, 1, 1, 5), 1e-12);
    }

    @Test
    void warmupRampsLinearlyThenHandsOver() {
        LrSchedule s = LrSchedule.warmup(4, LrSchedule.cosine(0));
        assertEquals(0.25, s.lr(1.0, 0, 10, 9), 1e-12);
        assertEquals(0.5, s.lr(1.0, 1, 10, 9), 1e-12);
        assertEquals(1.0, s.lr(1.0, 3, 10, 9), 1e-12);
        assertEquals(1.0, s.lr(1.0, 4, 10, 9), 1e-12, "cosine starts at the base rate");
        assertEquals(0.5, s.lr(1.0, 6, 10, 9), 1e-12, "cosine over the 5 remaining steps: half way at its step 2");
        assertEquals(0.0, s.lr(1.0, 8, 10, 9), 1e-12);
        LrSchedule w = LrSchedule.warmup(2, LrSchedule.step(1, 0.1));
        assertEquals(0.05, w.lr(0.1, 0, 3, 30), 1e-12);
        assertEquals(0.1, w.lr(0.1, 4, 3, 30), 1e-12);
        assertEquals(0.01, w.lr(0.1, 5, 3, 30), 1e-12, "first step of the step schedule's second epoch");
    }

    @Test
    void badSettingsAreUserErrors() {
        assertThrows(InvalidInputException.class, () -> LrSchedule.step(0, 0.1));
        assertThrows(InvalidInputException.class, () -> LrSchedule.cosine(-1));
        assertThrows(InvalidInputException.class, () -> LrSchedule.warmup(0, LrSchedule.constant()));
    }
}
