package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Sample i is filled with the value i + offset; label i % 3. Throws at failAt. */
    private record Counting(int size, int failAt) implements Dataset {
        @Override
        public Shape sampleShape() {
            return Shape.of(1, 2, 2);
        }

        @Override
        public int numClasses() {
            return 3;
        }

        @Override
        public void copySample(int index, float[] dst, int dstOffset) {
            if (index == failAt) {
                throw new DataException("sample " + index + " is broken");
            }
            Arrays.fill(dst, dstOffset, dstOffset + 4, index);
        }

        @Override
        public int label(int index) {
            return index % 3;
        }
    }

    private static List<Integer> sampleOrder(DataLoader loader, int epoch) {
        List<Integer> order = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            for (Batch b : e) {
                assertEquals(b.count(), b.labels().length);
                assertEquals(Shape.of(b.count(), 1, 2, 2), b.images().shape());
                float[] x = b.images().floats();
                for (int i = 0; i < b.count(); i++) {
                    int index = (int) x[i * 4];
                    assertEquals(index % 3, b.labels()[i]);
                    for (int k = 1; k < 4; k++) {
                        assertEquals(index, x[i * 4 + k]);
                    }
                    order.add(index);
                }
            }
        }
        return order;
    }

    @Test
    void everySampleOncePerEpochInBatchesOfTheRightSize() {
        try (DataLoader loader = DataLoader.builder(new Counting(103, -1)).batchSize(10).build()) {
            assertEquals(11, loader.batchesPerEpoch());
            List<Integer> order = sampleOrder(loader, 0);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 103; i++) {
                expected.add(i);
            }
            assertEquals(expected, order); // no shuffle: dataset order
        }
    }

    @Test
    void shuffleIsAPermutationThatDiffersPerEpochAndRepeatsPerSeed() {
        Counting d = new Counting(200, -1);
        try (DataLoader a = DataLoader.builder(d).batchSize(16).shuffle(true).seed(7).build();
                DataLoader b = DataLoader.builder(d).batchSize(16).shuffle(true).seed(7).build();
                DataLoader c = DataLoader.builder(d).batchSize(16).shuffle(true).seed(8).build()) {
            List<Integer> e0 = sampleOrder(a, 0);
            List<Integer> e1 = sampleOrder(a, 1);
            List<Integer> sorted = new ArrayList<>(e0);
            sorted.sort(null);
            for (int i = 0; i < 200; i++) {
                assertEquals(i, sorted.get(i));
            }
            assertNotEquals(e0, e1);
            assertEquals(e0, sampleOrder(b, 0));
            assertEquals(e1, sampleOrder(b, 1));
            assertNotEquals(e0, sampleOrder(c, 0));
        }
    }

    @Test
    void dropLastSkipsThePartialBatch() {
        try (DataLoader loader = DataLoader.builder(new Counting(25, -1)).batchSize(10).dropLast(true).build()) {
            assertEquals(2, loader.batchesPerEpoch());
            assertEquals(20, sampleOrder(loader, 0).size());
        }
    }

    @Test
    void transformsAreAppliedAndSeeded() {
        Counting d = new Counting(40, -1);
        Transform t = Transform.randomCrop(2, 1);
        DataLoader.Builder builder = DataLoader.builder(d).batchSize(8).shuffle(true).seed(3).transform(t);
        try (DataLoader a = builder.build(); DataLoader b = builder.build()) {
            float[] first = collect(a, 0);
            assertArrayEquals(first, collect(b, 0));
            assertFalse(Arrays.equals(first, collect(b, 1)));
            int zeros = 0;
            for (float v : first) {
                zeros += v == 0 ? 1 : 0;
            }
            assertTrue(zeros > 40, "zero padding must show up in some crops, zeros=" + zeros);
        }
    }

    private static float[] collect(DataLoader loader, int epoch) {
        float[] all = new float[loader.samplesPerEpoch() * 4];
        int pos = 0;
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            for (Batch b : e) {
                float[] x = b.images().floats();
                System.arraycopy(x, 0, all, pos, x.length);
                pos += x.length;
            }
        }
        return all;
    }

    @Test
    void loaderExceptionSurfacesOnTheConsumer() {
        try (DataLoader loader = DataLoader.builder(new Counting(50, 33)).batchSize(10).build();
                DataLoader.Epoch e = loader.epoch(0)) {
            int batches = 0;
            DataException ex = null;
            try {
                while (e.hasNext()) {
                    e.next();
                    batches++;
                }
            } catch (DataException caught) {
                ex = caught;
            }
            assertEquals(3, batches);
            assertTrue(ex != null && ex.getMessage().contains("sample 33"));
            assertFalse(e.hasNext());
        }
    }

    @Test
    void closingMidEpochStopsTheLoaderThread() throws InterruptedException {
        try (DataLoader loader = DataLoader.builder(new Counting(10_000, -1)).batchSize(4).prefetch(2).build()) {
            DataLoader.Epoch e = loader.epoch(0);
            e.next();
            e.close();
            assertTrue(e.loaderFinished());
            assertFalse(e.hasNext());
            DataLoader.Epoch again = loader.epoch(1);
            assertSame(again, again.iterator());
            assertTrue(again.hasNext());
        }
    }

    @Test
    void mixSeparatesNearbySeeds() {
        assertNotEquals(DataLoader.mix(1, 0), DataLoader.mix(0, 1));
        assertNotEquals(DataLoader.mix(1, 2), DataLoader.mix(2, 1));
        assertThrows(dev.minnow.errors.InvalidInputException.class,
                () -> DataLoader.builder(new Counting(1, -1)).batchSize(0));
    }
}
