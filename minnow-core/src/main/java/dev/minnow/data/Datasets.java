package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.errors.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Entry point for datasets by name. Specs: {@code mnist}, {@code fashion-mnist}, {@code cifar10},
 * {@code imagefolder:PATH}. Loading never touches the network; {@link #ensureDownloaded} does.
 */
public final class Datasets {
    public static final String ENV_DATA_DIR = "MINNOW_DATA";
    public static final String IMAGEFOLDER_PREFIX = "imagefolder:";
    /** The file cifar10 falls back to when the binary release is absent (CIFAR-10 as JPEGs in ImageFolder layout). */
    public static final String CIFAR_JPEG_ARCHIVE = "cifar10-jpeg.tgz";

    static final Normalization MNIST_NORM = Normalization.uniform(1, 0.1307f, 0.3081f);
    static final Normalization FASHION_NORM = Normalization.uniform(1, 0.2860f, 0.3530f);
    static final Normalization CIFAR_NORM = new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f},
            new float[] {0.2470f, 0.2435f, 0.2616f});

    private Datasets() {
    }

    /** The accepted dataset specs, for help texts and error messages. */
    public static List<String> names() {
        return List.of("mnist", "fashion-mnist", "cifar10", IMAGEFOLDER_PREFIX + "PATH");
    }

    /** Loads a dataset from files under dataDir (or, for imagefolder:PATH, from PATH). */
    public static DatasetSplit load(String spec, Path dataDir) {
        return load(spec, dataDir, null);
    }

    /**
     * As {@link #load(String, Path)}; for imagefolder:PATH, classOrderOrNull gives the class
     * folder names in class-index order (see {@link #readClassList}); null = sorted folder names.
     */
    public static DatasetSplit load(String spec, Path dataDir, List<String> classOrderOrNull) {
        String s = spec.trim();
        if (s.regionMatches(true, 0, IMAGEFOLDER_PREFIX, 0, IMAGEFOLDER_PREFIX.length())) {
            return loadImageFolder(s.substring(IMAGEFOLDER_PREFIX.length()), dataDir, classOrderOrNull);
        }
        if (classOrderOrNull != null) {
            throw new InvalidInputException("a class list (--classes) applies to imagefolder: datasets only, not to "
                    + spec + ", whose classes are fixed");
        }
        return switch (canonical(s)) {
            case "mnist" -> MnistLoader.load("mnist", dataDir.resolve("mnist"), MnistLoader.MNIST_CLASSES, MNIST_NORM);
            case "fashion-mnist" -> MnistLoader.load("fashion-mnist", dataDir.resolve("fashion-mnist"),
                    MnistLoader.FASHION_CLASSES, FASHION_NORM);
            case "cifar10" -> loadCifar10(dataDir);
            default -> throw new IllegalStateException();
        };
    }

    /**
     * Downloads the official files of a dataset that are missing under dataDir (nothing when all
     * are there, or when CIFAR-10 is present in another accepted form). Returns the files fetched.
     */
    public static List<Path> ensureDownloaded(String spec, Path dataDir, Downloader.Listener listener) {
        return ensureDownloaded(spec, dataDir, listener, OfficialSources.TABLE, new Downloader());
    }

    /** As above, with another source table (tests serve files locally). */
    static List<Path> ensureDownloaded(String spec, Path dataDir, Downloader.Listener listener,
            Map<String, OfficialSources.Entry> table, Downloader downloader) {
        if (spec.trim().regionMatches(true, 0, IMAGEFOLDER_PREFIX, 0, IMAGEFOLDER_PREFIX.length())) {
            throw new InvalidInputException("imagefolder datasets are local folders and cannot be downloaded;"
                    + " downloadable: mnist, fashion-mnist, cifar10");
        }
        String name = canonical(spec.trim());
        if (name.equals("cifar10") && findCifar10(dataDir) != null) {
            return List.of();
        }
        OfficialSources.Entry entry = table.get(name);
        if (entry == null) {
            throw new InvalidInputException("no download source for " + name + "; valid: " + table.keySet());
        }
        Path dir = entry.folder().isEmpty() ? dataDir : dataDir.resolve(entry.folder());
        if (name.equals("mnist") || name.equals("fashion-mnist")) {
            List<String> missing = MnistLoader.missingFiles(dir);
            List<Downloader.Source> wanted = entry.files().stream()
                    .filter(f -> missing.contains(f.fileName())).toList();
            return downloader.downloadMissing(wanted, dir, listener);
        }
        return downloader.downloadMissing(entry.files(), dir, listener);
    }

    /**
     * The data folder: the command-line value if given, else the MINNOW_DATA environment variable,
     * else ~/.cache/minnow.
     */
    public static Path resolveDataDir(String cliValueOrNull) {
        return resolveDataDir(cliValueOrNull, System.getenv(), System.getProperty("user.home"));
    }

    static Path resolveDataDir(String cliValue, Map<String, String> env, String userHome) {
        if (cliValue != null && !cliValue.isBlank()) {
            return Path.of(cliValue.trim());
        }
        String fromEnv = env.get(ENV_DATA_DIR);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv.trim());
        }
        return Path.of(userHome, ".cache", "minnow");
    }

    private static String canonical(String spec) {
        String s = spec.toLowerCase(Locale.ROOT);
        return switch (s) {
            case "mnist" -> "mnist";
            case "fashion-mnist", "fashion_mnist", "fashionmnist" -> "fashion-mnist";
            case "cifar10", "cifar-10" -> "cifar10";
            default -> throw new InvalidInputException("unknown dataset '" + spec + "'; valid: "
                    + String.join(", ", names()));
        };
    }

    private static DatasetSplit loadCifar10(Path dataDir) {
        Path found = findCifar10(dataDir);
        if (found == null) {
            throw new DataException("CIFAR-10 not found in " + dataDir + ": expected " + CifarBinaryLoader.DIR
                    + "/ (data_batch_1..5.bin, test_batch.bin), " + CifarBinaryLoader.ARCHIVE + " or "
                    + CIFAR_JPEG_ARCHIVE + ". Run `minnow download cifar10` to fetch " + CifarBinaryLoader.ARCHIVE
                    + " there, or point --data-dir / MINNOW_DATA at the folder that holds it");
        }
        if (Files.isDirectory(found)) {
            return CifarBinaryLoader.fromDirectory(found, CIFAR_NORM);
        }
        if (found.getFileName().toString().equals(CifarBinaryLoader.ARCHIVE)) {
            return CifarBinaryLoader.fromArchive(found, CIFAR_NORM);
        }
        return ImageFolderLoader.load("cifar10", found, CIFAR_NORM);
    }

    /** The first CIFAR-10 form present under dataDir, fastest to read first; null if none. */
    private static Path findCifar10(Path dataDir) {
        for (String name : List.of(CifarBinaryLoader.DIR, CifarBinaryLoader.ARCHIVE, CIFAR_JPEG_ARCHIVE)) {
            Path p = dataDir.resolve(name);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * A class list file: one class folder name per line, in class-index order (line 1 is class 0).
     * Lines are trimmed; blank lines are skipped.
     */
    public static List<String> readClassList(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidInputException("class list " + file + " does not exist");
        } catch (java.io.IOException e) {
            throw new InvalidInputException("cannot read class list " + file + ": " + e.getMessage(), e);
        }
        List<String> names = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        if (names.isEmpty()) {
            throw new InvalidInputException("class list " + file + " names no class; give one folder name per line");
        }
        return names;
    }

    private static DatasetSplit loadImageFolder(String pathText, Path dataDir, List<String> classOrder) {
        if (pathText.isBlank()) {
            throw new InvalidInputException("imagefolder: needs a path, for example imagefolder:/data/pets or"
                    + " imagefolder:pets.tgz");
        }
        Path p = Path.of(pathText);
        if (!Files.exists(p) && !p.isAbsolute() && Files.exists(dataDir.resolve(p))) {
            p = dataDir.resolve(p);
        }
        String name = p.getFileName() == null ? "imagefolder" : p.getFileName().toString();
        return ImageFolderLoader.load(name, p, null, classOrder);
    }
}
