package dev.minnow.compress.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ObserversTest {
    private static Tensor t(float... v) {
        return Tensor.of(Shape.of(v.length), v);
    }

    private static float[] range(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i + 0.5f) * scale / n;
        }
        return v;
    }

    @Test
    void histogramGrowsExactlyAndKeepsEveryCount() {
        Histogram h = new Histogram(64);
        h.add(range(1000, 1), false);               // [0, 1)
        long[] before = h.counts();
        double oldWidth = h.binWidth();
        double oldOrigin = h.edge(0);
        h.add(new float[] {-3f, 5f, Float.NaN}, false); // grows both ways
        assertEquals(1002, h.total());
        assertEquals(1, h.nanCount());
        assertEquals(-3f, h.min());
        assertEquals(5f, h.max());
        assertTrue(h.edge(0) <= -3 && h.edge(64) > 5, h.toString());
        // the old [0, 1) counts all lie in the new bins that overlap [0, 1), and every old edge is a new edge
        long inOld = 0;
        double ratio = h.binWidth() / oldWidth;
        assertEquals(Math.rint(ratio), ratio, 1e-6, "the width grew by a whole factor");
        double shift = (oldOrigin - h.edge(0)) / oldWidth;
        assertEquals(Math.rint(shift), shift, 1e-6, "the origin moved by whole old bins");
        for (int i = 0; i < 64; i++) {
            if (h.edge(i + 1) > 1e-9 && h.edge(i) < 1) {
                inOld += h.count(i);
            }
        }
        assertEquals(1000, inOld, "old bins merged whole: " + java.util.Arrays.toString(before));
        // a constant first batch, then a spread one: the constant's count lands at its value
        Histogram c = new Histogram(16);
        c.add(new float[] {2, 2, 2}, false);
        c.add(new float[] {0, 4}, false);
        int bin = (int) ((2 - c.edge(0)) / c.binWidth());
        assertEquals(3 + (c.edge(bin) <= 0 ? 1 : 0) + (c.edge(bin + 1) > 4 ? 1 : 0), c.count(bin));
    }

    @Test
    void quantileOfUniformValues() {
        Histogram h = new Histogram(2048);
        h.add(range(100_000, 10), false);
        assertEquals(9.9, h.quantile(0.99), 0.01);
        assertEquals(5.0, h.quantile(0.5), 0.01);
    }

    @Test
    void percentileClipsOutliersAndKeepsZeroFloor() {
        float[] v = range(100_000, 1);
        v[0] = 10; // one outlier in 100k (2048 bins over [0, 10]: ~0.005 wide)
        PercentileObserver o = new PercentileObserver(99.9);
        o.observe(t(v));
        QuantParams p = o.params(QuantScheme.activations(8));
        assertEquals(0, p.zeroPoint()[0], "non-negative values keep zero point 0");
        assertEquals(0.999 / 255, p.scale()[0], 0.01 / 255, "range ends at the 99.9th percentile, not at the outlier");
        MinMaxObserver m = MinMaxObserver.perTensor();
        m.observe(t(v));
        assertEquals(10.0 / 255, m.params(QuantScheme.activations(8)).scale()[0], 1e-3);
    }

    @Test
    void mseKeepsAUniformRangeAndClipsAHeavyTail() {
        MseObserver uniform = new MseObserver();
        uniform.observe(t(range(50_000, 1)));
        QuantParams pu = uniform.params(QuantScheme.activations(8));
        assertEquals(1.0 / 255, pu.scale()[0], 0.02 / 255, "nothing to gain by clipping uniform values");

        Random r = new Random(3);
        float[] laplace = new float[200_000];
        for (int i = 0; i < laplace.length; i++) {
            double u = r.nextDouble() - 0.5;
            laplace[i] = (float) (-Math.signum(u) * Math.log(1 - 2 * Math.abs(u)));
        }
        MseObserver tail = new MseObserver();
        tail.observe(t(laplace));
        QuantScheme s4 = QuantScheme.weights(4).withPerChannel(false);
        QuantParams best = tail.params(s4);
        QuantParams full = QuantParams.perTensor(s4, tail.histogram().min(), tail.histogram().max());
        assertTrue(best.scale()[0] < 0.6 * full.scale()[0], "4-bit Laplace data is clipped well inside its extremes");
        assertTrue(tail.expectedError(best) < 0.5 * tail.expectedError(full));
        // the estimate tracks the real error of fake-quantizing the values
        double real = 0;
        for (float x : laplace) {
            double d = x - best.fakeQuantize(x, 0);
            real += d * d;
        }
        assertEquals(real, tail.expectedError(best), 0.1 * real);
    }

    @Test
    void entropyKeepsDenseRangeAndDropsIsolatedOutliers() {
        EntropyObserver dense = new EntropyObserver();
        dense.observe(t(range(100_000, 1)));
        assertTrue(dense.threshold(256) > 0.95, "uniform values: threshold near the max, got " + dense.threshold(256));

        Random r = new Random(5);
        float[] v = new float[100_000];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.abs(r.nextGaussian());
        }
        v[7] = 60; // far away: the full range would leave few levels for the bulk
        EntropyObserver e = new EntropyObserver();
        e.observe(t(v));
        QuantParams p = e.params(QuantScheme.activations(8));
        double top = p.dequantize(255, 0);
        assertTrue(top > 2.5 && top < 20, "threshold clips the outlier but keeps the Gaussian's body, got " + top);
        assertEquals(0, p.zeroPoint()[0]);
    }

    @Test
    void nanAndEmptyRangesAreClearErrors() {
        for (Observer o : new Observer[] {new PercentileObserver(99.99), new EntropyObserver(), new MseObserver(),
                MinMaxObserver.perTensor()}) {
            InvalidInputException empty = assertThrows(InvalidInputException.class,
                    () -> o.params(QuantScheme.activations(8)));
            assertTrue(empty.getMessage().contains("empty"), o.method() + ": " + empty.getMessage());
            o.observe(t(1, Float.NaN, 2));
            InvalidInputException nan = assertThrows(InvalidInputException.class, () -> o.params(QuantScheme.activations(8)));
            assertTrue(nan.getMessage().contains("NaN"), o.method() + ": " + nan.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> Observers.byName("kmeans"));
    }
}
