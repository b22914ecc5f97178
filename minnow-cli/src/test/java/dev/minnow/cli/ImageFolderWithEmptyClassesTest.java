package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.Dataset;
import dev.minnow.data.DatasetSplit;
import dev.minnow.data.Datasets;
import dev.minnow.data.Preprocessing;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ImageNet-style validation folder with missing classes, made from MNIST test digits as JPEGs
 * in folders named "zero" .. "nine" (so sorted names are not the class order) with three digits
 * left empty. A real model (mnist-cntk.onnx, trained elsewhere) evaluated through the CLI with
 * --classes gives the same top-1 as ONNX Runtime on the same images, preprocessed the same way.
 */
class ImageFolderWithEmptyClassesTest {
    private static final List<String> NAMES = List.of("zero", "one", "two", "three", "four", "five", "six", "seven",
            "eight", "nine");
    private static final List<Integer> EMPTY = List.of(2, 5, 7);
    private static final int IMAGES = 300;

    /** test/NAME/i.jpg for the first IMAGES MNIST test digits, except the EMPTY digits' folders stay empty. */
    private static int makeFolder(Path root) throws Exception {
        Dataset mnist = Datasets.load("mnist", Cli.dataDir()).test();
        for (String n : NAMES) {
            Files.createDirectories(root.resolve("test").resolve(n));
        }
        float[] x = new float[28 * 28];
        int written = 0;
        for (int i = 0; i < IMAGES; i++) {
            int label = mnist.label(i);
            if (EMPTY.contains(label)) {
                continue;
            }
            mnist.copySample(i, x, 0);
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < x.length; p++) {
                img.getRaster().setSample(p % 28, p / 28, 0, Math.round(x[p] * 255));
            }
            assertTrue(ImageIO.write(img, "jpeg", root.resolve("test").resolve(NAMES.get(label)).resolve(i + ".jpg").toFile()));
            written++;
        }
        return written;
    }

    @Test
    void evalWithEmptyClassesAndAClassListAgreesWithOnnxRuntime(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("val");
        int images = makeFolder(root);
        Path classes = dir.resolve("classes.txt");
        Files.writeString(classes, String.join("\n", NAMES) + "\n");
        Path model = Cli.dataDir().resolveSibling("models").resolve("mnist-cntk.onnx");
        assertTrue(Files.isRegularFile(model), "shared model missing: " + model);

        // by default, class indices follow the sorted folder names, the empty ones included
        DatasetSplit sorted = Datasets.load("imagefolder:" + root, dir);
        assertEquals(NAMES.stream().sorted().toList(), sorted.test().classNames());
        // with the list, they follow the list
        DatasetSplit split = Datasets.load("imagefolder:" + root, dir, Datasets.readClassList(classes));
        assertEquals(NAMES, split.test().classNames());
        assertEquals(images, split.test().size());

        // the model takes raw 0..255 pixels
        String[] pre = {"--scale", "255", "--mean", "0", "--std", "1"};
        Cli r = Cli.run("eval", model.toString(), "--dataset", "imagefolder:" + root, "--classes", classes.toString(),
                pre[0], pre[1], pre[2], pre[3], pre[4], pre[5], "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(10, (int) number(r.json(), "classes"));
        assertEquals(EMPTY.size(), (int) number(r.json(), "classes_without_images"));
        assertEquals(images, (int) number(r.json(), "samples"));
        double minnowTop1 = number(r.json(), "top1");

        Preprocessing p = new Preprocessing(255, new double[] {0}, new double[] {1}, false, false, 0, false);
        Graph g = Onnx.read(model);
        int correct = 0;
        float[] x = new float[28 * 28];
        try (OrtRunner ort = new OrtRunner(Files.readAllBytes(model), g.inputs().getFirst().name(), 1)) {
            for (int i = 0; i < split.test().size(); i++) {
                split.test().copySample(i, x, 0);
                Tensor in = p.apply(Tensor.of(Shape.of(1, 1, 28, 28), x.clone()));
                float[] out = ort.run(in.floats(), new long[] {1, 1, 28, 28});
                int best = 0;
                for (int c = 1; c < out.length; c++) {
                    best = out[c] > out[best] ? c : best;
                }
                correct += best == split.test().label(i) ? 1 : 0;
            }
        }
        double ortTop1 = (double) correct / images;
        assertEquals(ortTop1, minnowTop1, 1e-9, "eval's top-1 against ONNX Runtime's on the same images");
        assertTrue(ortTop1 > 0.9, "a trained model with the right class indices: " + ortTop1);

        // without the list, the sorted names give other indices: the same model then scores low
        Cli wrongOrder = Cli.run("eval", model.toString(), "--dataset", "imagefolder:" + root,
                pre[0], pre[1], pre[2], pre[3], pre[4], pre[5], "--json");
        assertEquals(0, wrongOrder.exitCode(), wrongOrder.err());
        assertTrue(number(wrongOrder.json(), "top1") < 0.5, wrongOrder.json());

        Cli human = Cli.run("eval", model.toString(), "--dataset", "imagefolder:" + root, "--classes", classes.toString(),
                pre[0], pre[1], pre[2], pre[3], pre[4], pre[5]);
        assertTrue(human.out().contains("10 classes, 3 of them without test images"), human.out());
    }
}
