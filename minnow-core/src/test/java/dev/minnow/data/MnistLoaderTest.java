package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistLoaderTest {
    @TempDir
    Path tmp;

    /** Published class counts of MNIST (LeCun et al.), train and test. */
    private static final int[] MNIST_TRAIN_COUNTS = {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
    private static final int[] MNIST_TEST_COUNTS = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

    @Test
    void realMnistHasPublishedCountsAndStatistics() {
        DatasetSplit s = Datasets.load("mnist", TestData.sharedDataDir());
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        assertEquals(Shape.of(1, 28, 28), s.train().sampleShape());
        assertArrayEquals(MNIST_TRAIN_COUNTS, histogram(s.train()));
        assertArrayEquals(MNIST_TEST_COUNTS, histogram(s.test()));
        double[] stats = pixelStats(s.train());
        assertEquals(0.0, stats[0]);
        assertEquals(1.0, stats[1]);
        // the widely used normalization constants 0.1307 / 0.3081 were computed on this train split
        assertEquals(0.1307, stats[2], 5e-4);
        assertEquals(0.3081, stats[3], 5e-4);
        assertArrayEquals(new float[] {0.1307f}, s.normalization().mean());
        assertArrayEquals(new float[] {0.3081f}, s.normalization().std());
    }

    @Test
    void realFashionMnistHasBalancedClassesAndPublishedStatistics() {
        DatasetSplit s = Datasets.load("fashion-mnist", TestData.sharedDataDir());
        int[] train = histogram(s.train());
        int[] test = histogram(s.test());
        int[] sixThousand = new int[10];
        int[] thousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        Arrays.fill(thousand, 1000);
        assertArrayEquals(sixThousand, train);
        assertArrayEquals(thousand, test);
        double[] stats = pixelStats(s.train());
        assertEquals(0.2860, stats[2], 5e-4);
        assertEquals(0.3530, stats[3], 5e-4);
        assertEquals("Ankle boot", s.train().classNames().get(9));
    }

    @Test
    void rawAndGzipFilesGiveTheSamePixels() throws IOException {
        byte[] pixels = new byte[2 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        byte[] labels = {3, 9};
        Path raw = tmp.resolve("raw");
        Path gz = tmp.resolve("gz");
        writeSet(raw, pixels, labels, false);
        writeSet(gz, pixels, labels, true);
        for (Path dir : new Path[] {raw, gz}) {
            DatasetSplit s = MnistLoader.load("mnist", dir, MnistLoader.MNIST_CLASSES, Datasets.MNIST_NORM);
            assertEquals(2, s.train().size());
            assertEquals(9, s.train().label(1));
            float[] x = new float[28 * 28];
            s.train().copySample(1, x, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals((pixels[784 + i] & 0xff) / 255f, x[i], 0f);
            }
        }
    }

    @Test
    void badMagicNamesFileAndSuggestsSwap() throws IOException {
        Path dir = validSet();
        // labels written where images belong
        Files.write(dir.resolve("train-images-idx3-ubyte"), TestData.idxLabels(new byte[] {1, 2}));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        assertTrue(e.getMessage().contains("swapped"), e.getMessage());
    }

    @Test
    void wrongDimensionsAreRejected() throws IOException {
        Path dir = validSet();
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), TestData.idxImages(2, 32, 32, new byte[2 * 32 * 32]));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("32x32"),
                e.getMessage());
    }

    @Test
    void truncatedPixelsAreReported() throws IOException {
        Path dir = validSet();
        byte[] full = TestData.idxImages(2, 28, 28, new byte[2 * 784]);
        Files.write(dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(full, full.length - 100));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("train-images"), e.getMessage());
    }

    @Test
    void truncatedGzipStreamIsReported() throws IOException {
        Path dir = validSet();
        Files.delete(dir.resolve("train-images-idx3-ubyte"));
        byte[] gz = TestData.gzip(TestData.idxImages(2, 28, 28, new byte[2 * 784]));
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path dir = validSet();
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0});
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("header"),
                e.getMessage());
    }

    @Test
    void labelImageCountMismatchNamesBothFiles() throws IOException {
        Path dir = validSet();
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(new byte[] {1, 2, 3}));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("3 labels") && e.getMessage().contains("2 images"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsReported() throws IOException {
        Path dir = validSet();
        Files.write(dir.resolve("train-labels-idx1-ubyte"), TestData.idxLabels(new byte[] {1, 10}));
        DataException e = assertThrows(DataException.class, () -> load(dir));
        assertTrue(e.getMessage().contains("label 10"), e.getMessage());
    }

    @Test
    void missingFilesAreListedWithTheDownloadCommand() throws IOException {
        Path dir = validSet();
        Files.delete(dir.resolve("t10k-images-idx3-ubyte"));
        Files.delete(dir.resolve("train-labels-idx1-ubyte"));
        DataException e = assertThrows(DataException.class, () -> Datasets.load("mnist", tmp));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(!e.getMessage().contains("train-images"), e.getMessage());
        assertTrue(e.getMessage().contains("minnow download mnist"), e.getMessage());
    }

    private Path validSet() throws IOException {
        Path dir = tmp.resolve("mnist");
        writeSet(dir, new byte[2 * 784], new byte[] {0, 1}, false);
        return dir;
    }

    private static DatasetSplit load(Path dir) {
        return MnistLoader.load("mnist", dir, MnistLoader.MNIST_CLASSES, Datasets.MNIST_NORM);
    }

    private static void writeSet(Path dir, byte[] pixels, byte[] labels, boolean gz) throws IOException {
        Files.createDirectories(dir);
        byte[] images = TestData.idxImages(labels.length, 28, 28, pixels);
        byte[] lab = TestData.idxLabels(labels);
        String ext = gz ? ".gz" : "";
        for (String split : new String[] {"train", "t10k"}) {
            Files.write(dir.resolve(split + "-images-idx3-ubyte" + ext), gz ? TestData.gzip(images) : images);
            Files.write(dir.resolve(split + "-labels-idx1-ubyte" + ext), gz ? TestData.gzip(lab) : lab);
        }
    }

    static int[] histogram(Dataset d) {
        int[] h = new int[d.numClasses()];
        for (int i = 0; i < d.size(); i++) {
            h[d.label(i)]++;
        }
        return h;
    }

    /** min, max, mean, population std over all pixels of all samples. */
    static double[] pixelStats(Dataset d) {
        int n = d.sampleShape().sizeInt();
        float[] x = new float[n];
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < d.size(); i++) {
            d.copySample(i, x, 0);
            for (float v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
                sumSq += (double) v * v;
            }
        }
        double count = (double) d.size() * n;
        double mean = sum / count;
        return new double[] {min, max, mean, Math.sqrt(sumSq / count - mean * mean)};
    }
}
