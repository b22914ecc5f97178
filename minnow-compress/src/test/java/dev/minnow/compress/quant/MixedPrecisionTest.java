package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class MixedPrecisionTest {
    private static final int[] BITS = {2, 4, 8};
    private static List<MixedPrecision.LayerSensitivity> layers;

    @BeforeAll
    static void measure() {
        Graph g = QuantTestModels.small(21);
        layers = MixedPrecision.sensitivity(g, QuantTestModels.batches(2, 8, Shape.of(3, 12, 12), 4),
                QuantScheme.weights(8), BITS);
    }

    private static double cost(MixedPrecision.Budget b, int[] widths) {
        double c = 0;
        for (int i = 0; i < widths.length; i++) {
            c += b.cost(layers.get(i), widths[i]);
        }
        return c;
    }

    private static double error(int[] widths) {
        double e = 0;
        for (int i = 0; i < widths.length; i++) {
            e += layers.get(i).errorByBits().get(widths[i]);
        }
        return e;
    }

    @Test
    void sensitivityFallsWithBits() {
        assertEquals(5, layers.size());
        for (MixedPrecision.LayerSensitivity l : layers) {
            assertTrue(l.errorByBits().get(2) > l.errorByBits().get(4), l.toString());
            assertTrue(l.errorByBits().get(4) > l.errorByBits().get(8), l.toString());
            assertTrue(l.params() > 0 && l.macs() >= l.params(), l.toString());
        }
    }

    /** Every assignment of widths (3^5): the allocation holds the budget and none that fits does better. */
    private static void checkAgainstEveryChoice(MixedPrecision.Budget budget) {
        MixedPrecision.Allocation a = MixedPrecision.allocate(layers, budget, BITS);
        int[] chosen = layers.stream().mapToInt(l -> a.bitsByNode().get(l.node())).toArray();
        assertTrue(a.cost() <= budget.limit(), a.cost() + " > " + budget.limit());
        assertEquals(cost(budget, chosen), a.cost(), 1e-6 * a.cost());
        assertEquals(error(chosen), a.predictedError(), 1e-12);
        int[] w = new int[layers.size()];
        for (int code = 0; code < Math.pow(3, w.length); code++) {
            for (int i = 0, c = code; i < w.length; i++, c /= 3) {
                w[i] = BITS[c % 3];
            }
            // the knapsack rounds each cost up by under one bucket
            if (cost(budget, w) <= budget.limit() * (1 - (double) w.length / MixedPrecision.BUCKETS)) {
                assertTrue(a.predictedError() <= error(w) * (1 + 1e-12), java.util.Arrays.toString(w) + " beats " + a);
            }
        }
    }

    @Test
    void modelSizeBudgetHoldsAndIsOptimal() {
        double all8 = layers.stream().mapToDouble(l -> l.params()).sum();
        checkAgainstEveryChoice(new MixedPrecision.ModelSize((long) (0.55 * all8)));
        checkAgainstEveryChoice(new MixedPrecision.ModelSize((long) (0.35 * all8)));
        MixedPrecision.Allocation roomy = MixedPrecision.allocate(layers, new MixedPrecision.ModelSize((long) (1.01 * all8)), BITS);
        assertTrue(roomy.bitsByNode().values().stream().allMatch(b -> b == 8), roomy.toString());
    }

    @Test
    void bitOpsBudgetHoldsAndIsOptimal() {
        double all4 = layers.stream().mapToDouble(l -> l.macs() * 4.0 * 8).sum();
        checkAgainstEveryChoice(new MixedPrecision.BitOps((long) all4, 8));
        MixedPrecision.Allocation a = MixedPrecision.allocate(layers, new MixedPrecision.BitOps((long) all4, 8), BITS);
        assertTrue(a.bitsByNode().values().stream().distinct().count() > 1, "a mix, not one width: " + a);
    }

    @Test
    void aBudgetBelowTheSmallestWidthIsAClearError() {
        double all2 = layers.stream().mapToDouble(l -> l.params() * 2 / 8.0).sum();
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> MixedPrecision.allocate(layers, new MixedPrecision.ModelSize((long) (0.9 * all2)), BITS));
        assertTrue(e.getMessage().contains("cannot be met"), e.getMessage());
    }
}
