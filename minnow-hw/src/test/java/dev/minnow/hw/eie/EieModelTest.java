package dev.minnow.hw.eie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** EIE's cycle model by hand on small cases and against the paper's AlexNet FC layers. */
class EieModelTest {
    @Test
    void smallMatrixByHand() {
        // 4 rows x 3 cols on 2 PEs: PE0 holds rows 0, 2; PE1 rows 1, 3
        float[] w = {
            1, 0, 1,
            1, 0, 0,
            1, 0, 1,
            0, 1, 0};
        EieConfig cfg = new EieConfig(2, 1000, 4, 4, 1, 10);
        EieModel.Result r = EieModel.run(cfg, w, 4, 3, null);
        // column 0: PE0 2 entries, PE1 1; column 1: PE0 0, PE1 1; column 2: PE0 2, PE1 0
        // FIFO depth 1: a column starts when all finished the previous one: 2 + 1 + 2 = 5 cycles
        assertEquals(5, r.cycles());
        assertEquals(6, r.nonZeroWeights());
        assertEquals(3, r.idealCycles());
        // skipping column 1 (a zero activation) removes its cycle
        assertEquals(4, EieModel.run(cfg, w, 4, 3, new boolean[] {true, false, true}).cycles());
        // a deep FIFO lets PE1 run ahead: PE0 needs 4 cycles, PE1 2
        assertEquals(4, EieModel.run(new EieConfig(2, 1000, 4, 4, 8, 10), w, 4, 3, null).cycles());
    }

    @Test
    void longZeroRunsCostPaddingEntries() {
        // one PE, one column of 40 rows with non-zeros at 0 and 39: a 38-zero run with 4-bit indices (max gap 15)
        float[] w = new float[40];
        w[0] = 1;
        w[39] = 1;
        EieModel.Result r = EieModel.run(new EieConfig(1, 800, 4, 4, 8, 9.157), w, 40, 1, null);
        assertEquals(2, r.paddingZeros());
        assertEquals(4, r.entries());
        assertEquals(4 * 8, r.storageBits());
        assertEquals(0, EieModel.run(new EieConfig(1, 800, 8, 4, 8, 9.157), w, 40, 1, null).paddingZeros());
    }

    /**
     * EIE paper Table III/IV: Alex-6 (9216 -> 4096, 9% weights, 35.1% activations) 30.3 us, Alex-7 (4096 -> 4096,
     * 9%, 35.3%) 12.2 us, Alex-8 (4096 -> 1000, 25%, 37.5%) 9.9 us on 64 PEs at 800 MHz. Weights and activations
     * are drawn uniformly at those densities (the paper's pruned AlexNet is not available), so the model sees
     * random load imbalance, not the real one; within 25%.
     */
    @Test
    void alexNetFcLayersAgainstThePaper() {
        int[][] shapes = {{9216, 4096}, {4096, 4096}, {4096, 1000}};
        double[] weightDensity = {0.09, 0.09, 0.25};
        double[] actDensity = {0.351, 0.353, 0.375};
        double[] paperMicros = {30.3, 12.2, 9.9};
        for (int l = 0; l < 3; l++) {
            SplittableRandom rnd = new SplittableRandom(15 + l);
            int cols = shapes[l][0];
            int rows = shapes[l][1];
            float[] w = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextDouble() < weightDensity[l] ? 1 : 0;
            }
            boolean[] a = new boolean[cols];
            for (int j = 0; j < cols; j++) {
                a[j] = rnd.nextDouble() < actDensity[l];
            }
            EieModel.Result r = EieModel.run(EieConfig.paper(), w, rows, cols, a);
            double micros = r.seconds() * 1e6;
            System.out.printf("Alex-%d: %.1f us (paper %.1f), load efficiency %.2f, padding %d of %d entries%n",
                    6 + l, micros, paperMicros[l], r.loadEfficiency(), r.paddingZeros(), r.entries());
            assertEquals(1, micros / paperMicros[l], 0.25, "Alex-" + (6 + l));
            assertTrue(r.loadEfficiency() > 0.5 && r.loadEfficiency() <= 1);
        }
    }

    @Test
    void badDescriptionsAreRefused() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> new EieConfig(0, 800, 4, 4, 8, 9));
        assertTrue(e.getMessage().contains("pes"));
        assertThrows(InvalidInputException.class, () -> new EieConfig(64, -1, 4, 4, 8, 9));
    }
}
