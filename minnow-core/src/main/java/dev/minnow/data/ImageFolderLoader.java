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
 * Classes are the train class folders sorted by name; label = position in that order.
 */
final class ImageFolderLoader {
    static final List<String> SPLITS = List.of("train", "test");

    /** Encoded images found per split and class; a class with no images stays present (and is an error). */
    private record Tree(Map<String, TreeMap<String, List<Member>>> splits) {
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
        for (String split : SPLITS) {
            Map<String, List<Member>> classes = tree.splits().get(split);
            if (classes == null || classes.isEmpty()) {
                throw new DataException(source + " has no " + split + "/ split with class folders: expected "
                        + "train/<class>/<image> and test/<class>/<image> (JPEG or PNG) inside it");
            }
            classes.forEach((cls, members) -> {
                if (members.isEmpty()) {
                    throw new DataException("class folder " + split + "/" + cls + " in " + source + " holds no JPEG"
                            + " or PNG image; add images or remove the folder");
                }
            });
        }
        List<String> classNames = List.copyOf(tree.splits().get("train").keySet());
        for (String cls : tree.splits().get("test").keySet()) {
            if (!classNames.contains(cls)) {
                throw new DataException("class " + cls + " of the test split in " + source + " has no train/"
                        + cls + "/ folder; train and test must use the same class folders");
            }
        }
        List<String> names = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        int[] counts = new int[2];
        List<Byte> labelList = new ArrayList<>();
        for (int s = 0; s < SPLITS.size(); s++) {
            String split = SPLITS.get(s);
            for (Map.Entry<String, List<Member>> e : tree.splits().get(split).entrySet()) {
                byte label = (byte) classNames.indexOf(e.getKey());
                for (Member m : e.getValue()) {
                    names.add(m.name() + " in " + where);
                    contents.add(m.bytes());
                    labelList.add(label);
                    counts[s]++;
                }
            }
        }
        if (classNames.size() > 256) {
            throw new DataException(source + " has " + classNames.size() + " classes; at most 256 are supported");
        }
        ImageDecoder.Decoded d = ImageDecoder.decodeAll(names, contents);
        int sampleBytes = d.channels() * d.height() * d.width();
        Shape shape = Shape.of(d.channels(), d.height(), d.width());
        Dataset train = slice(d.pixels(), labelList, 0, counts[0], sampleBytes, shape, classNames);
        Dataset test = slice(d.pixels(), labelList, counts[0], counts[1], sampleBytes, shape, classNames);
        return normalizationOrNull == null
                ? new DatasetSplit(name, train, test)
                : new DatasetSplit(name, train, test, normalizationOrNull);
    }

    /** Samples [from, from + count) of the decoded array, sharing it (no copy). */
    private static Dataset slice(byte[] pixels, List<Byte> labels, int from, int count, int sampleBytes, Shape shape,
            List<String> classNames) {
        byte[] l = new byte[count];
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
