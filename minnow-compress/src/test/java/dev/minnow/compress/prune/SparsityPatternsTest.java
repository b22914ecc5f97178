package dev.minnow.compress.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SparsityPatternsTest {
    private static Tensor random(long seed, int... dims) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.zeros(Shape.of(dims));
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = (float) r.nextGaussian();
        }
        return t;
    }

    @Test
    void magnitudeDropsTheSmallestFraction() {
        Tensor w = random(1, 20, 30);
        Tensor m = SparsityPatterns.magnitude(w, 0.9);
        assertEquals(0.9, SparsityPatterns.sparsity(m), 1e-9);
        float minKept = Float.MAX_VALUE;
        float maxDropped = 0;
        for (int i = 0; i < w.size(); i++) {
            float a = Math.abs(w.floats()[i]);
            if (m.floats()[i] == 1) {
                minKept = Math.min(minKept, a);
            } else {
                maxDropped = Math.max(maxDropped, a);
            }
        }
        assertTrue(maxDropped <= minKept);
    }

    @Test
    void twoOfFourKeepsTheTwoLargestOfEveryFour() {
        Tensor w = random(2, 6, 8, 3, 3);
        Tensor m = SparsityPatterns.nOfM(w, 2, 4);
        assertEquals(0.5, SparsityPatterns.sparsity(m), 1e-9);
        float[] x = w.floats();
        // brute force per group: the kept two hold the two largest magnitudes
        for (int o = 0; o < 6; o++) {
            for (int t = 0; t < 9; t++) {
                for (int c0 = 0; c0 < 8; c0 += 4) {
                    float[] a = new float[4];
                    int kept = 0;
                    float minKept = Float.MAX_VALUE;
                    float maxDropped = 0;
                    for (int k = 0; k < 4; k++) {
                        int i = (o * 8 + c0 + k) * 9 + t;
                        a[k] = Math.abs(x[i]);
                        if (m.floats()[i] == 1) {
                            kept++;
                            minKept = Math.min(minKept, a[k]);
                        } else {
                            maxDropped = Math.max(maxDropped, a[k]);
                        }
                    }
                    assertEquals(2, kept);
                    assertTrue(maxDropped <= minKept);
                }
            }
        }
        assertThrows(InvalidInputException.class, () -> SparsityPatterns.nOfM(random(3, 4, 6), 2, 4));
    }

    @Test
    void everyKernelKeepsOneAllowedPattern() {
        Tensor w = random(4, 5, 3, 3, 3);
        List<int[]> patterns = SparsityPatterns.defaultPatterns3x3();
        Tensor m = SparsityPatterns.patterns(w, patterns);
        for (int k = 0; k < 15; k++) {
            int count = 0;
            for (int t = 0; t < 9; t++) {
                count += (int) m.floats()[k * 9 + t];
            }
            assertEquals(4, count);
            assertEquals(1f, m.floats()[k * 9 + 4], "the centre tap is in every default pattern");
        }
    }

    @Test
    void kernelPruningRemovesWholeKernels() {
        Tensor w = random(5, 4, 6, 3, 3);
        Tensor m = SparsityPatterns.kernels(w, 0.5);
        int whole = 0;
        for (int k = 0; k < 24; k++) {
            float s = 0;
            for (int t = 0; t < 9; t++) {
                s += m.floats()[k * 9 + t];
            }
            assertTrue(s == 0 || s == 9);
            whole += s == 0 ? 1 : 0;
        }
        assertEquals(12, whole);
    }

    @Test
    void agpRisesFastThenSlowly() {
        AgpSchedule s = AgpSchedule.agp(0.9, 4);
        assertEquals(0.9 * (1 - Math.pow(0.75, 3)), s.sparsityAt(1), 1e-12);
        assertEquals(0.9, s.sparsityAt(4), 1e-12);
        assertTrue(s.sparsityAt(2) - s.sparsityAt(1) > s.sparsityAt(4) - s.sparsityAt(3));
        assertEquals(0.45, AgpSchedule.linear(0.9, 2).sparsityAt(1), 1e-12);
        assertThrows(InvalidInputException.class, () -> AgpSchedule.agp(1.0, 3));
    }
}
