package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** MNIST and Fashion-MNIST from the four IDX files (raw or .gz) in one folder. */
final class MnistLoader {
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    static final int SIDE = 28;

    static final List<String> MNIST_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private MnistLoader() {
    }

    /** The files of the four names that are missing in dir (neither raw nor .gz present). */
    static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String f : FILES) {
            if (DataFiles.rawOrGz(dir, f) == null) {
                missing.add(f + ".gz");
            }
        }
        return missing;
    }

    static DatasetSplit load(String name, Path dir, List<String> classNames, Normalization normalization) {
        List<String> missing = missingFiles(dir);
        if (!missing.isEmpty()) {
            throw new DataException(name + " files missing in " + dir + ": " + String.join(", ", missing)
                    + " (raw or .gz). Run `minnow download " + name + "` to fetch them into that folder,"
                    + " or point --data-dir / MINNOW_DATA at a folder that holds " + dir.getFileName() + "/");
        }
        Dataset train = split(dir, TRAIN_IMAGES, TRAIN_LABELS, classNames);
        Dataset test = split(dir, TEST_IMAGES, TEST_LABELS, classNames);
        return new DatasetSplit(name, train, test, normalization);
    }

    private static Dataset split(Path dir, String imagesName, String labelsName, List<String> classNames) {
        Path imagesFile = DataFiles.rawOrGz(dir, imagesName);
        Path labelsFile = DataFiles.rawOrGz(dir, labelsName);
        IdxReader.Images images = IdxReader.readImages(imagesFile);
        if (images.rows() != SIDE || images.cols() != SIDE) {
            throw new DataException(imagesFile + " holds " + images.rows() + "x" + images.cols()
                    + " images, expected " + SIDE + "x" + SIDE + "; this is not an MNIST-format file,"
                    + " use the original file or load other images with imagefolder:PATH");
        }
        byte[] labels = IdxReader.readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new DataException(labelsFile + " has " + labels.length + " labels but " + imagesFile + " has "
                    + images.count() + " images; the two files must come from the same split and release");
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xff;
            if (label >= classNames.size()) {
                throw new DataException(labelsFile + ": label " + label + " at index " + i + " is outside 0.."
                        + (classNames.size() - 1) + "; the file is corrupt, download it again");
            }
        }
        return new ByteImageDataset(images.pixels(), labels, Shape.of(1, SIDE, SIDE), classNames);
    }
}
