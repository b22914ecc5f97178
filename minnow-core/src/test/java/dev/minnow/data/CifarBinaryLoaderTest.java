package dev.minnow.data;

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

class CifarBinaryLoaderTest {
    @TempDir
    Path tmp;

    /** records records, label of record r in batch b = (b + r) % 10, pixel byte p = (b * 31 + r * 7 + p) % 256. */
    private static byte[] batch(int b, int records) {
        byte[] data = new byte[records * CifarBinaryLoader.RECORD_BYTES];
        for (int r = 0; r < records; r++) {
            int off = r * CifarBinaryLoader.RECORD_BYTES;
            data[off] = (byte) ((b + r) % 10);
            for (int p = 0; p < 3072; p++) {
                data[off + 1 + p] = (byte) (b * 31 + r * 7 + p);
            }
        }
        return data;
    }

    private Path writeBatches(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), batch(b, 3));
        }
        Files.write(dir.resolve("test_batch.bin"), batch(6, 2));
        return dir;
    }

    private static void checkContents(DatasetSplit s) {
        assertEquals(15, s.train().size());
        assertEquals(2, s.test().size());
        assertEquals(Shape.of(3, 32, 32), s.train().sampleShape());
        assertEquals("truck", s.train().classNames().get(9));
        float[] x = new float[3072];
        // train sample 7 = batch 3 (b = 3), record 1
        s.train().copySample(7, x, 0);
        assertEquals((3 + 1) % 10, s.train().label(7));
        for (int p = 0; p < 3072; p++) {
            assertEquals(((3 * 31 + 7 + p) & 0xff) / 255f, x[p], 0f);
        }
        s.test().copySample(1, x, 0);
        assertEquals((6 + 1) % 10, s.test().label(1));
        assertEquals(((6 * 31 + 7 + 1024) & 0xff) / 255f, x[1024], 0f); // first green byte
    }

    @Test
    void readsExtractedBatches() throws IOException {
        writeBatches(tmp.resolve(CifarBinaryLoader.DIR));
        DatasetSplit s = Datasets.load("cifar10", tmp);
        checkContents(s);
        assertEquals(0.4914f, s.normalization().mean()[0]);
        assertEquals(0.2616f, s.normalization().std()[2]);
    }

    @Test
    void readsTheOfficialTarGzWithoutExtracting() throws IOException {
        Path archive = tmp.resolve(CifarBinaryLoader.ARCHIVE);
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(archive)) {
            tar.directory("cifar-10-batches-bin");
            tar.file("cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes());
            for (int b = 1; b <= 5; b++) {
                tar.file("cifar-10-batches-bin/data_batch_" + b + ".bin", batch(b, 3));
            }
            tar.file("cifar-10-batches-bin/test_batch.bin", batch(6, 2));
        }
        checkContents(Datasets.load("cifar10", tmp));
    }

    @Test
    void truncatedBatchIsReported() throws IOException {
        Path dir = writeBatches(tmp.resolve(CifarBinaryLoader.DIR));
        byte[] b = batch(2, 3);
        Files.write(dir.resolve("data_batch_2.bin"), Arrays.copyOf(b, b.length - 5));
        DataException e = assertThrows(DataException.class, () -> Datasets.load("cifar10", tmp));
        assertTrue(e.getMessage().contains("data_batch_2.bin") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void missingBatchIsNamed() throws IOException {
        Path dir = writeBatches(tmp.resolve(CifarBinaryLoader.DIR));
        Files.delete(dir.resolve("test_batch.bin"));
        DataException e = assertThrows(DataException.class, () -> Datasets.load("cifar10", tmp));
        assertTrue(e.getMessage().contains("test_batch.bin"), e.getMessage());
    }

    @Test
    void badLabelIsReported() throws IOException {
        Path dir = writeBatches(tmp.resolve(CifarBinaryLoader.DIR));
        byte[] b = batch(4, 3);
        b[CifarBinaryLoader.RECORD_BYTES] = 57;
        Files.write(dir.resolve("data_batch_4.bin"), b);
        DataException e = assertThrows(DataException.class, () -> Datasets.load("cifar10", tmp));
        assertTrue(e.getMessage().contains("data_batch_4.bin") && e.getMessage().contains("label 57"),
                e.getMessage());
    }

    @Test
    void nothingFoundNamesAllAcceptedFormsAndTheDownloadCommand() {
        DataException e = assertThrows(DataException.class, () -> Datasets.load("cifar10", tmp));
        assertTrue(e.getMessage().contains(CifarBinaryLoader.DIR), e.getMessage());
        assertTrue(e.getMessage().contains(Datasets.CIFAR_JPEG_ARCHIVE), e.getMessage());
        assertTrue(e.getMessage().contains("minnow download cifar10"), e.getMessage());
    }
}
