package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CIFAR-10 from the official binary release: data_batch_1..5.bin (train) and test_batch.bin,
 * either extracted (cifar-10-batches-bin/) or straight from cifar-10-binary.tar.gz.
 * Each record is 3073 bytes: the label, then 1024 red, 1024 green and 1024 blue bytes of a
 * 32x32 image, row-major; that is already CHW.
 */
final class CifarBinaryLoader {
    static final String DIR = "cifar-10-batches-bin";
    static final String ARCHIVE = "cifar-10-binary.tar.gz";
    static final int SIDE = 32;
    static final int RECORD_BYTES = 1 + 3 * SIDE * SIDE;
    static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    static final String TEST_FILE = "test_batch.bin";
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    private CifarBinaryLoader() {
    }

    /** From the extracted cifar-10-batches-bin folder. */
    static DatasetSplit fromDirectory(Path dir, Normalization normalization) {
        Map<String, byte[]> files = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : allFiles()) {
            Path f = dir.resolve(name);
            if (!Files.isRegularFile(f)) {
                missing.add(name);
                continue;
            }
            try {
                files.put(name, Files.readAllBytes(f));
            } catch (IOException e) {
                throw DataFiles.readFailure(f.toString(), e);
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException(dir + " lacks " + String.join(", ", missing) + "; extract the complete "
                    + ARCHIVE + " again, or run `minnow download cifar10`");
        }
        return build(files, dir.toString(), normalization);
    }

    /** Straight from the official tar.gz, without extracting it. */
    static DatasetSplit fromArchive(Path archive, Normalization normalization) {
        Map<String, byte[]> files = new TreeMap<>();
        List<String> wanted = allFiles();
        try (InputStream in = DataFiles.open(archive); TarReader tar = new TarReader(in, archive.toString())) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String base = e.name().substring(e.name().lastIndexOf('/') + 1);
                if (e.isFile() && wanted.contains(base)) {
                    files.put(base, tar.readContent());
                }
            }
        } catch (IOException e) {
            throw DataFiles.readFailure(archive.toString(), e);
        }
        List<String> missing = new ArrayList<>(wanted);
        missing.removeAll(files.keySet());
        if (!missing.isEmpty()) {
            throw new DataException(archive + " lacks " + String.join(", ", missing) + "; it is not the complete"
                    + " CIFAR-10 binary release, download it again with `minnow download cifar10`");
        }
        return build(files, archive.toString(), normalization);
    }

    private static List<String> allFiles() {
        List<String> all = new ArrayList<>(TRAIN_FILES);
        all.add(TEST_FILE);
        return all;
    }

    private static DatasetSplit build(Map<String, byte[]> files, String source, Normalization normalization) {
        Dataset train = records(TRAIN_FILES.stream().map(files::get).toList(), TRAIN_FILES, source);
        Dataset test = records(List.of(files.get(TEST_FILE)), List.of(TEST_FILE), source);
        return new DatasetSplit("cifar10", train, test, normalization);
    }

    private static Dataset records(List<byte[]> batches, List<String> names, String source) {
        int count = 0;
        for (int b = 0; b < batches.size(); b++) {
            int len = batches.get(b).length;
            if (len == 0 || len % RECORD_BYTES != 0) {
                throw new DataException(names.get(b) + " in " + source + " has " + len + " bytes, not a whole number"
                        + " of " + RECORD_BYTES + "-byte CIFAR-10 records: it is truncated or not a CIFAR-10 binary"
                        + " batch; download the archive again");
            }
            count += len / RECORD_BYTES;
        }
        int plane = 3 * SIDE * SIDE;
        byte[] pixels = new byte[count * plane];
        byte[] labels = new byte[count];
        int i = 0;
        for (int b = 0; b < batches.size(); b++) {
            byte[] data = batches.get(b);
            for (int r = 0; r < data.length / RECORD_BYTES; r++, i++) {
                int label = data[r * RECORD_BYTES] & 0xff;
                if (label >= CLASSES.size()) {
                    throw new DataException(names.get(b) + " in " + source + ": record " + r + " has label " + label
                            + ", outside 0..9; this is not a CIFAR-10 batch (CIFAR-100 has two label bytes)");
                }
                labels[i] = (byte) label;
                System.arraycopy(data, r * RECORD_BYTES + 1, pixels, i * plane, plane);
            }
        }
        return new ByteImageDataset(pixels, labels, Shape.of(3, SIDE, SIDE), CLASSES);
    }
}
