package dev.minnow.compress.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KMeans1DTest {
    /** Against PyTorch (tools/golden/kmeans_golden.py): same values, same init, same centroids and assignments. */
    @Test
    void agreesWithTorchKMeansOnLinearAndDensityInit() throws IOException {
        ByteBuffer b;
        try (InputStream in = KMeans1DTest.class.getResourceAsStream("/golden/kmeans-1d.bin")) {
            b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
        byte[] magic = new byte[4];
        b.get(magic);
        assertEquals("MNKM", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(), "golden file version");
        float[] values = new float[b.getInt()];
        for (int i = 0; i < values.length; i++) {
            values[i] = b.getFloat();
        }
        int cases = b.getInt();
        assertEquals(3, cases);
        for (int c = 0; c < cases; c++) {
            CentroidInit init = b.getInt() == 0 ? CentroidInit.LINEAR : CentroidInit.DENSITY;
            int k = b.getInt();
            int iterations = b.getInt();
            double[] centroids = new double[k];
            for (int j = 0; j < k; j++) {
                centroids[j] = b.getDouble();
            }
            int[] assignments = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                assignments[i] = b.getInt();
            }
            KMeans1D.Result r = KMeans1D.fit(values, k, init, 0, 100);
            String what = init + " k=" + k;
            assertArrayEquals(assignments, r.assignments(), what);
            assertArrayEquals(centroids, r.centroids(), 1e-12, what);
            assertEquals(iterations, r.iterations(), what);
            assertTrue(r.converged(), what);
        }
        assertFalse(b.hasRemaining());
    }

    @Test
    void twoObviousGroupsGiveTheirMeans() {
        KMeans1D.Result r = KMeans1D.fit(new float[] {1, 2, 10, 11, 12}, 2, CentroidInit.LINEAR, 0, 100);
        assertArrayEquals(new double[] {1.5, 11}, r.centroids(), 1e-12);
        assertArrayEquals(new int[] {0, 0, 1, 1, 1}, r.assignments());
    }

    @Test
    void initializationsAsThePaperDescribes() {
        double[] x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 100};
        double[] sorted = x.clone();
        assertArrayEquals(new double[] {0, 50, 100}, CentroidInit.LINEAR.initial(x, sorted, 3, 0), 1e-12);
        // quantiles at 1/6, 3/6, 5/6 of 10 sorted values: ranks 1, 5, 8
        assertArrayEquals(new double[] {1, 5, 8}, CentroidInit.DENSITY.initial(x, sorted, 3, 0), 1e-12);
        double[] forgy = CentroidInit.RANDOM.initial(x, sorted, 4, 7);
        Set<Double> picked = new HashSet<>();
        for (double c : forgy) {
            assertTrue(Arrays.stream(x).anyMatch(v -> v == c), "Forgy picks data points: " + c);
            picked.add(c);
        }
        assertEquals(4, picked.size(), "distinct positions");
        assertArrayEquals(forgy, CentroidInit.RANDOM.initial(x, sorted, 4, 7), "same seed, same picks");
    }

    /** At convergence every value sits with a nearest centroid and every used centroid is its members' mean. */
    @Test
    void convergedResultIsAFixedPointOfLloyd() {
        Random rnd = new Random(3);
        for (CentroidInit init : CentroidInit.values()) {
            for (int trial = 0; trial < 5; trial++) {
                int n = 50 + rnd.nextInt(2000);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (rnd.nextGaussian() * (rnd.nextBoolean() ? 0.02 : 0.2));
                }
                int k = 1 + rnd.nextInt(64);
                KMeans1D.Result r = KMeans1D.fit(v, k, init, trial, 300);
                assertTrue(r.converged(), init + " trial " + trial);
                double[] c = r.centroids();
                double[] sum = new double[c.length];
                int[] count = new int[c.length];
                for (int i = 0; i < n; i++) {
                    int a = r.assignments()[i];
                    for (double other : c) {
                        assertTrue(Math.abs(v[i] - c[a]) <= Math.abs(v[i] - other), "value " + i + " not at a nearest centroid");
                    }
                    sum[a] += v[i];
                    count[a]++;
                }
                for (int j = 0; j < c.length; j++) {
                    if (count[j] > 0) {
                        assertEquals(sum[j] / count[j], c[j], 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void randomInitDependsOnTheSeedOnly() {
        float[] v = new float[500];
        Random rnd = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        KMeans1D.Result a = KMeans1D.fit(v, 16, CentroidInit.RANDOM, 5, 100);
        assertArrayEquals(a.centroids(), KMeans1D.fit(v, 16, CentroidInit.RANDOM, 5, 100).centroids());
        assertFalse(Arrays.equals(a.centroids(), KMeans1D.fit(v, 16, CentroidInit.RANDOM, 6, 100).centroids()));
    }

    @Test
    void moreClustersThanValuesUsesOnePerValue() {
        KMeans1D.Result r = KMeans1D.fit(new float[] {0.5f, -0.25f, 3f}, 256, CentroidInit.LINEAR, 0, 100);
        assertEquals(3, r.centroids().length);
        assertThrows(InvalidInputException.class, () -> KMeans1D.fit(new float[0], 4, CentroidInit.LINEAR, 0, 10));
        assertThrows(InvalidInputException.class, () -> CentroidInit.parse("kmeans++"));
        assertEquals(CentroidInit.DENSITY, CentroidInit.parse("Density"));
    }
}
