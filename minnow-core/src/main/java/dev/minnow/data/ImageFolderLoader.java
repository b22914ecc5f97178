package dev.minnow.data;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An ImageFolder tree: ROOT/train/CLASS/*.{jpg,jpeg,png} and ROOT/test/CLASS/..., as a folder or
 * read straight from a .tgz / .tar.gz / .tar archive (which may put everything under one top folder).
 * Classes are the class folders of both splits sorted by name (label = position in that order),
 * or a list the caller gives; a class folder without images keeps its index and has no samples.
 */
final class ImageFolderLoader {
    static final List<String> SPLITS = List.of("train", "test");

    /** Encoded images found per split and class; a class with no images stays present. */
    private record Tree(TreeMap<String, TreeMap<String, List<Member>>> splits) {
        Tree() {
            this(new TreeMap<>());
        }

        List<Member> classFolder(String split, String cls) {
            return splits.computeIfAbsent(split, s -> new TreeMap<>()).computeIfAbsent(cls, c -> new ArrayList<>());
        }
    }

    private record Member(String name, byte[] bytes) {
    }

    private ImageFolderLoader() {
    }

    static boolean isArchive(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".tgz") || n.endsWith(".tar.gz") || n.endsWith(".tar");
    }

    static DatasetSplit load(String name, Path source, Normalization normalizationOrNull) {
        return load(name, source, normalizationOrNull, null);
    }

    /**
     * classOrderOrNull: the class folder names in class-index order (for a model trained on more
     * classes than the folder has images of); null = the class folders of both splits sorted by name.
     * Class folders without images are kept: they hold a class index and no samples.
     */
    static DatasetSplit load(String name, Path source, Normalization normalizationOrNull, List<String> classOrderOrNull) {
        Tree tree;
        String where;
        if (Files.isDirectory(source)) {
            tree = readDirectory(source);
            where = source.toString();
        } else if (Files.isRegularFile(source) && isArchive(source)) {
            tree = readArchive(source);
            where = source.getFileName().toString();
        } else {
            throw new DataException("no ImageFolder at " + source + ": expected a folder or a .tgz/.tar.gz/.tar"
                    + " archive holding train/<class>/*.jpg and test/<class>/*.jpg");
        }
        // train/ may be missing: a validation set to evaluate on has only test/
        TreeMap<String, List<Member>> testClasses = tree.splits().get("test");
        if (testClasses == null || testClasses.isEmpty()) {
            throw new DataException(source + " has no test/ split with class folders: expected "
                    + "test/<class>/<image> (JPEG or PNG), and train/<class>/<image> to train, inside it");
        }
        tree.splits().computeIfAbsent("train", k -> new TreeMap<>()); // an absent train/ holds no images
        if (testClasses.values().stream().allMatch(List::isEmpty)) {
            throw new DataException("the test/ split in " + source + " holds no JPEG or PNG image in any class folder");
        }
        List<String> classNames = classOrder(tree, source, classOrderOrNull);
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        int[] counts = new int[2];
        List<Integer> labelList = new ArrayList<>();
        for (int s = 0; s < SPLITS.size(); s++) {
            String split = SPLITS.get(s);
            for (Map.Entry<String, List<Member>> e : tree.splits().get(split).entrySet()) {
                int label = classNames.indexOf(e.getKey());
                for (Member m : e.getValue()) {
                    names.add(m.name() + " in " + where);
                    contents.add(m.bytes());
                    labelList.add(label);
                    counts[s]++;
                }
            }
        }
        ImageDecoder.Decoded d = ImageDecoder.decodeAll(names, contents);
        int sampleBytes = d.channels() * d.height() * d.width();
        Shape shape = Shape.of(d.channels(), d.height(), d.width());
        Dataset train = slice(d.pixels(), labelList, 0, counts[0], sampleBytes, shape, classNames);
        Dataset test = slice(d.pixels(), labelList, counts[0], counts[1], sampleBytes, shape, classNames);
        if (normalizationOrNull != null) {
            return new DatasetSplit(name, train, test, normalizationOrNull);
        }
        // a validation-only folder (train/ class folders without images) estimates from the test images
        Dataset estimateFrom = train.size() > 0 ? train : test;
        return new DatasetSplit(name, train, test,
                Normalization.estimate(estimateFrom, DatasetSplit.NORMALIZATION_SAMPLES));
    }

    /** Class-index order: the given list (checked against the folders), else all class folders sorted. */
    private static List<String> classOrder(Tree tree, Path source, List<String> given) {
        java.util.TreeSet<String> folders = new java.util.TreeSet<>();
        tree.splits().values().forEach(classes -> folders.addAll(classes.keySet()));
        if (given == null) {
            return List.copyOf(folders);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String c : given) {
            if (!seen.add(c)) {
                throw new DataException("the class list names '" + c + "' twice; give each class folder once");
            }
        }
        for (String f : folders) {
            if (!seen.contains(f)) {
                throw new DataException("class folder '" + f + "' in " + source + " is not in the class list ("
                        + given.size() + " names); add it to the list or remove the folder");
            }
        }
        return List.copyOf(given);
    }

    /** Samples [from, from + count) of the decoded array, sharing it (no copy). */
    private static Dataset slice(byte[] pixels, List<Integer> labels, int from, int count, int sampleBytes, Shape shape,
            List<String> classNames) {
        int[] l = new int[count];
        for (int i = 0; i < count; i++) {
            l[i] = labels.get(from + i);
        }
        return new ByteImageDataset(pixels, from * sampleBytes, l, shape, classNames);
    }

    private static Tree readDirectory(Path root) {
        Tree tree = new Tree();
        for (String split : SPLITS) {
            Path splitDir = root.resolve(split);
            if (!Files.isDirectory(splitDir)) {
                continue;
            }
            try (Stream<Path> classDirs = Files.list(splitDir)) {
                for (Path classDir : classDirs.filter(Files::isDirectory).sorted().toList()) {
                    List<Member> members = tree.classFolder(split, classDir.getFileName().toString());
                    try (Stream<Path> files = Files.walk(classDir)) {
                        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                            if (isImageName(f.getFileName().toString())) {
                                members.add(new Member(root.relativize(f).toString().replace('\\', '/'),
                                        Files.readAllBytes(f)));
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw DataFiles.readFailure(splitDir.toString(), e);
            }
        }
        return tree;
    }

    private static Tree readArchive(Path archive) {
        Tree tree = new Tree();
        String prefix = null;
        try (InputStream in = DataFiles.open(archive);
                TarReader tar = new TarReader(in, archive.toString())) {
            for (TarReader.Entry e = tar.next(); e != null; e = tar.next()) {
                String[] segs = e.name().split("/");
                int n = segs.length;
                boolean image = e.isFile() && isImageName(segs[n - 1]);
                // files: PREFIX/split/class/file; folders: PREFIX/split/class/
                int splitAt = image ? n - 3 : (e.isDirectory() ? n - 2 : -1);
                if (splitAt < 0 || !SPLITS.contains(segs[splitAt])) {
                    continue;
                }
                String entryPrefix = String.join("/", java.util.Arrays.copyOfRange(segs, 0, splitAt));
                if (prefix == null) {
                    prefix = entryPrefix;
                } else if (!prefix.equals(entryPrefix)) {
                    throw new DataException(archive + " holds more than one train/test tree (under '" + prefix
                            + "/' and '" + entryPrefix + "/'); pack one ImageFolder tree per archive");
                }
                List<Member> members = tree.classFolder(segs[splitAt], segs[splitAt + 1]);
                if (image) {
                    members.add(new Member(e.name(), tar.readContent()));
                }
            }
        } catch (IOException e) {
            throw DataFiles.readFailure(archive.toString(), e);
        }
        tree.splits().values().forEach(classes -> classes.values().forEach(
                members -> members.sort(java.util.Comparator.comparing(Member::name))));
        return tree;
    }

    private static boolean isImageName(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
