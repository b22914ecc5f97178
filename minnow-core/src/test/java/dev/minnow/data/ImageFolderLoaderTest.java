package dev.minnow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.DataException;
import dev.minnow.tensor.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderLoaderTest {
    @TempDir
    Path tmp;

    private static final int W = 5;
    private static final int H = 4;

    /** train: cat (2 images), ant (1), dog (1); test: dog, ant. Classes sort to ant, cat, dog. */
    private static final List<String[]> LAYOUT = List.of(
            new String[] {"train/cat/1.png", "10"}, new String[] {"train/cat/2.png", "20"},
            new String[] {"train/ant/x.png", "30"}, new String[] {"train/dog/y.PNG", "40"},
            new String[] {"test/dog/z.png", "50"}, new String[] {"test/ant/w.png", "60"});

    private Path writeFolder(Path root) throws IOException {
        for (String[] f : LAYOUT) {
            TestData.write(root.resolve(f[0]), TestData.png(TestData.gradient(W, H, Integer.parseInt(f[1]))));
        }
        TestData.write(root.resolve("README.md"), "not an image".getBytes());
        return root;
    }

    private Path writeArchive(Path file, String prefix) throws IOException {
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(file)) {
            tar.file(prefix + "README.md", "hi".getBytes());
            for (String[] f : LAYOUT) {
                tar.file(prefix + f[0], TestData.png(TestData.gradient(W, H, Integer.parseInt(f[1]))));
            }
        }
        return file;
    }

    /** The exact pixels of a gradient image, as the loader must produce them (PNG is lossless). */
    private static void assertGradient(Dataset d, int index, int base) {
        float[] x = new float[3 * H * W];
        d.copySample(index, x, 0);
        for (int y = 0; y < H; y++) {
            for (int c = 0; c < W; c++) {
                int p = y * W + c;
                assertEquals(((base + c) & 0xff) / 255f, x[p], 0f);
                assertEquals(((base + y) & 0xff) / 255f, x[H * W + p], 0f);
                assertEquals(((base + c + y) & 0xff) / 255f, x[2 * H * W + p], 0f);
            }
        }
    }

    private static void checkSplit(DatasetSplit s) {
        assertEquals(List.of("ant", "cat", "dog"), s.train().classNames());
        assertEquals(Shape.of(3, H, W), s.train().sampleShape());
        assertEquals(4, s.train().size());
        assertEquals(2, s.test().size());
        // train order: ant/x, cat/1, cat/2, dog/y
        assertArrayEquals(new int[] {0, 1, 1, 2}, labels(s.train()));
        assertGradient(s.train(), 0, 30);
        assertGradient(s.train(), 2, 20);
        assertGradient(s.train(), 3, 40);
        assertArrayEquals(new int[] {0, 2}, labels(s.test()));
        assertGradient(s.test(), 0, 60);
        assertGradient(s.test(), 1, 50);
        // normalization estimated from the 4 train images: compare with a direct computation
        double[] stats = MnistLoaderTest.pixelStats(new ChannelView(s.train(), 1));
        assertEquals(stats[2], s.normalization().mean()[1], 1e-5);
        assertEquals(stats[3], s.normalization().std()[1], 1e-5);
    }

    @Test
    void readsAFolder() throws IOException {
        checkSplit(Datasets.load("imagefolder:" + writeFolder(tmp.resolve("pets")), tmp));
    }

    @Test
    void readsATgzWithOrWithoutATopFolder() throws IOException {
        checkSplit(Datasets.load("imagefolder:" + writeArchive(tmp.resolve("a.tgz"), ""), tmp));
        checkSplit(Datasets.load("imagefolder:" + writeArchive(tmp.resolve("b.tar.gz"), "pets/"), tmp));
    }

    @Test
    void relativePathIsAlsoLookedUpInTheDataDir() throws IOException {
        writeArchive(tmp.resolve("pets.tgz"), "");
        assertEquals(4, Datasets.load("imagefolder:pets.tgz", tmp).train().size());
    }

    @Test
    void greyImagesGiveOneChannel() throws IOException {
        Path root = tmp.resolve("grey");
        for (String split : new String[] {"train", "test"}) {
            BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
            img.getRaster().setSample(1, 1, 0, 200);
            TestData.write(root.resolve(split + "/only/a.png"), TestData.png(img));
        }
        DatasetSplit s = Datasets.load("imagefolder:" + root, tmp);
        assertEquals(Shape.of(1, 2, 3), s.train().sampleShape());
        float[] x = new float[6];
        s.train().copySample(0, x, 0);
        assertArrayEquals(new float[] {0, 0, 0, 0, 200 / 255f, 0}, x);
    }

    @Test
    void jpegDecodesCloseToTheEncodedColour() throws IOException {
        Path root = tmp.resolve("jpeg");
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, (200 << 16) | (100 << 8) | 50);
            }
        }
        TestData.write(root.resolve("train/c/a.jpg"), TestData.encode(img, "jpeg"));
        TestData.write(root.resolve("test/c/a.jpg"), TestData.encode(img, "jpeg"));
        Dataset d = Datasets.load("imagefolder:" + root, tmp).train();
        float[] x = new float[3 * 256];
        d.copySample(0, x, 0);
        assertEquals(200 / 255f, x[0], 6 / 255f);
        assertEquals(100 / 255f, x[256 + 17], 6 / 255f);
        assertEquals(50 / 255f, x[512 + 255], 6 / 255f);
    }

    @Test
    void wrongSizeNamesTheImageInsideTheArchive() throws IOException {
        Path archive = tmp.resolve("bad.tgz");
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(archive)) {
            tar.file("train/a/1.png", TestData.png(TestData.gradient(W, H, 0)));
            tar.file("train/a/2.png", TestData.png(TestData.gradient(W + 1, H, 0)));
            tar.file("test/a/1.png", TestData.png(TestData.gradient(W, H, 0)));
        }
        DataException e = assertThrows(DataException.class, () -> Datasets.load("imagefolder:" + archive, tmp));
        assertTrue(e.getMessage().contains("train/a/2.png in bad.tgz") && e.getMessage().contains("6x4"),
                e.getMessage());
    }

    @Test
    void truncatedImageIsNamed() throws IOException {
        byte[] png = TestData.png(TestData.gradient(W, H, 0));
        assertUnreadable("truncated.tgz", "test/a/broken.png", java.util.Arrays.copyOf(png, 30));
    }

    @Test
    void nonImageFileWithAnImageNameIsNamed() throws IOException {
        assertUnreadable("text.tgz", "test/a/text.jpg", "definitely not a jpeg".getBytes());
    }

    private void assertUnreadable(String archiveName, String member, byte[] content) throws IOException {
        Path archive = tmp.resolve(archiveName);
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(archive)) {
            tar.file("train/a/1.png", TestData.png(TestData.gradient(W, H, 0)));
            tar.file(member, content);
        }
        DataException e = assertThrows(DataException.class, () -> Datasets.load("imagefolder:" + archive, tmp));
        assertTrue(e.getMessage().contains(member + " in " + archiveName), e.getMessage());
    }

    @Test
    void emptyClassFoldersKeepTheirIndexInSortedOrder() throws IOException {
        Path root = writeFolder(tmp.resolve("pets"));
        Files.createDirectories(root.resolve("train/zebra"));
        Files.createDirectories(root.resolve("test/bee"));
        Files.createDirectories(root.resolve("test/cat"));
        DatasetSplit s = Datasets.load("imagefolder:" + root, tmp);
        assertEquals(List.of("ant", "bee", "cat", "dog", "zebra"), s.test().classNames());
        assertEquals(5, s.train().numClasses());
        assertArrayEquals(new int[] {0, 2, 2, 3}, labels(s.train()));
        assertArrayEquals(new int[] {0, 3}, labels(s.test()));
        assertGradient(s.test(), 1, 50);
    }

    @Test
    void emptyClassFoldersInsideAnArchiveKeepTheirIndex() throws IOException {
        Path archive = tmp.resolve("empty.tgz");
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(archive)) {
            tar.file("train/c/1.png", TestData.png(TestData.gradient(W, H, 0)));
            tar.directory("test/a");
            tar.file("test/b/1.png", TestData.png(TestData.gradient(W, H, 9)));
        }
        DatasetSplit s = Datasets.load("imagefolder:" + archive, tmp);
        assertEquals(List.of("a", "b", "c"), s.test().classNames());
        assertArrayEquals(new int[] {2}, labels(s.train()));
        assertArrayEquals(new int[] {1}, labels(s.test()));
    }

    @Test
    void aClassListSetsTheIndicesIncludingClassesWithoutFolders() throws IOException {
        Path root = writeFolder(tmp.resolve("pets"));
        Files.createDirectories(root.resolve("test/bee"));
        Path list = tmp.resolve("classes.txt");
        Files.writeString(list, "dog\n  zebra \ncat\n\nant\nbee\n");
        DatasetSplit s = Datasets.load("imagefolder:" + root, tmp, Datasets.readClassList(list));
        assertEquals(List.of("dog", "zebra", "cat", "ant", "bee"), s.train().classNames());
        // train order stays by folder name: ant/x, cat/1, cat/2, dog/y
        assertArrayEquals(new int[] {3, 2, 2, 0}, labels(s.train()));
        assertArrayEquals(new int[] {3, 0}, labels(s.test()));
    }

    @Test
    void aClassListMustNameEveryFolderOnce() throws IOException {
        Path root = writeFolder(tmp.resolve("pets"));
        DataException missing = assertThrows(DataException.class,
                () -> Datasets.load("imagefolder:" + root, tmp, List.of("ant", "dog")));
        assertTrue(missing.getMessage().contains("'cat'"), missing.getMessage());
        DataException twice = assertThrows(DataException.class,
                () -> Datasets.load("imagefolder:" + root, tmp, List.of("ant", "cat", "dog", "cat")));
        assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
        assertThrows(dev.minnow.errors.InvalidInputException.class, () -> Datasets.load("mnist", tmp, List.of("a")));
    }

    @Test
    void aValidationOnlyFolderHasAnEmptyTrainSplit() throws IOException {
        Path root = tmp.resolve("val");
        TestData.write(root.resolve("test/b/1.png"), TestData.png(TestData.gradient(W, H, 7)));
        Files.createDirectories(root.resolve("test/a"));
        DatasetSplit s = Datasets.load("imagefolder:" + root, tmp);
        assertEquals(0, s.train().size());
        assertArrayEquals(new int[] {1}, labels(s.test()));
        assertEquals(Normalization.estimate(s.test(), 10), s.normalization());
    }

    @Test
    void aTestSplitWithoutAnyImageIsReported() throws IOException {
        Path archive = tmp.resolve("empty.tgz");
        try (TestData.TarWriter tar = TestData.TarWriter.gzipped(archive)) {
            tar.file("train/a/1.png", TestData.png(TestData.gradient(W, H, 0)));
            tar.directory("test/a");
        }
        DataException e = assertThrows(DataException.class, () -> Datasets.load("imagefolder:" + archive, tmp));
        assertTrue(e.getMessage().contains("test/") && e.getMessage().contains("no JPEG or PNG"), e.getMessage());
    }

    @Test
    void missingSplitIsReported() throws IOException {
        Path root = writeFolder(tmp.resolve("pets"));
        for (String f : new String[] {"test/dog/z.png", "test/ant/w.png", "test/dog", "test/ant", "test"}) {
            Files.delete(root.resolve(f));
        }
        DataException e = assertThrows(DataException.class, () -> Datasets.load("imagefolder:" + root, tmp));
        assertTrue(e.getMessage().contains("test/"), e.getMessage());
    }

    @Test
    void realCifar10JpegArchiveLoadsWithPublishedStatistics() {
        Path data = TestData.sharedDataDir();
        // CPU time of the whole process (all decoding threads), not wall time: CI machines may be shared
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        DatasetSplit s = ImageFolderLoader.load("cifar10", data.resolve(Datasets.CIFAR_JPEG_ARCHIVE), null);
        long cpuMillis = (os.getProcessCpuTime() - cpu0) / 1_000_000;
        assertTrue(cpuMillis < 20_000, "loading 60,000 JPEGs used " + cpuMillis + " ms of CPU");
        assertEquals(50_000, s.train().size());
        assertEquals(10_000, s.test().size());
        assertEquals(Shape.of(3, 32, 32), s.train().sampleShape());
        assertEquals(CifarBinaryLoader.CLASSES, s.train().classNames()); // folder names sort like CIFAR's order
        int[] perClass = MnistLoaderTest.histogram(s.train());
        for (int c : perClass) {
            assertEquals(5000, c);
        }
        // statistics estimated from the train split agree with the published CIFAR-10 ones up to JPEG loss
        float[] published = Datasets.CIFAR_NORM.mean();
        float[] publishedStd = Datasets.CIFAR_NORM.std();
        for (int c = 0; c < 3; c++) {
            assertEquals(published[c], s.normalization().mean()[c], 2e-3);
            assertEquals(publishedStd[c], s.normalization().std()[c], 3e-3);
        }
    }

    private static int[] labels(Dataset d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = d.label(i);
        }
        return l;
    }

    /** One channel of a dataset as a one-channel dataset. */
    private record ChannelView(Dataset d, int channel) implements Dataset {
        @Override
        public int size() {
            return d.size();
        }

        @Override
        public Shape sampleShape() {
            return Shape.of(1, d.sampleShape().dim(1), d.sampleShape().dim(2));
        }

        @Override
        public int numClasses() {
            return d.numClasses();
        }

        @Override
        public void copySample(int index, float[] dst, int dstOffset) {
            float[] all = new float[d.sampleShape().sizeInt()];
            d.copySample(index, all, 0);
            int plane = sampleShape().sizeInt();
            System.arraycopy(all, channel * plane, dst, dstOffset, plane);
        }

        @Override
        public int label(int index) {
            return d.label(index);
        }
    }
}
