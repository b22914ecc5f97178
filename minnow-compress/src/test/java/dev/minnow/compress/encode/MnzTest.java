package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.compress.prune.MagnitudePruning;
import dev.minnow.errors.InvalidInputException;
import dev.minnow.graph.Graph;
import dev.minnow.onnx.Onnx;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.train.TrainingExecutor;
import dev.minnow.zoo.Zoo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnzTest {
    private static final GraphCodec ONNX = new GraphCodec(Onnx::toBytes, Onnx::fromBytes);

    private static Graph prunedLenet300() {
        return MagnitudePruning.global(0.92).prune(Zoo.build("lenet-300-100", 1)).graph();
    }

    /** Same names, shapes and raw float bits (NaN payloads and -0.0 included). */
    private static void assertSameWeights(Graph want, Graph got) {
        assertEquals(want.initializers().keySet(), got.initializers().keySet());
        want.initializers().forEach((k, t) -> {
            Tensor u = got.initializers().get(k);
            assertEquals(t.dtype(), u.dtype(), k);
            assertEquals(t.shape(), u.shape(), k);
            float[] a = t.floats();
            float[] b = u.floats();
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    throw new AssertionError(k + "[" + i + "]: " + a[i] + " became " + b[i]);
                }
            }
        });
    }

    @Test
    void prunedLenet300RoundTripsBitForBitAndTheFileIsMuchSmaller(@TempDir Path dir) {
        Graph g = prunedLenet300();
        Path file = dir.resolve("lenet.mnz");
        Mnz.Report report = Mnz.write(g, file, ONNX, false);
        Graph back = Mnz.read(file, ONNX);
        assertSameWeights(g, back);
        assertEquals(g.inputs().stream().map(v -> v.name()).toList(), back.inputs().stream().map(v -> v.name()).toList(),
                "the weights are initializers again, not graph inputs");

        Tensor x = Tensor.zeros(Shape.of(4, 1, 28, 28));
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = (float) r.nextGaussian();
        }
        assertArrayEquals(new TrainingExecutor(g).predict(x).floats(), new TrainingExecutor(back).predict(x).floats());

        long fileBytes = assertDoesNotThrowSize(file);
        assertEquals(fileBytes, report.sizeBytesAfter());
        assertEquals(4L * 266_610, report.sizeBytesBefore());
        long parts = report.graphSectionBytes() + report.containerBytes()
                + report.layers().stream().mapToLong(LayerReport::totalBytes).sum();
        assertEquals(fileBytes, parts, "the per-part accounting adds up to the file");
        System.out.printf("lenet-300-100 at 92%% sparsity: %d -> %d bytes, %.2fx%n", report.sizeBytesBefore(),
                fileBytes, report.ratio());
        report.layers().forEach(l -> System.out.printf("  %-14s %-22s %-8s %7d bytes (index %d, values %d)%n", l.name(),
                l.format(), l.valueCoding(), l.totalBytes(), l.indexBytes(), l.valueBytes()));
        assertTrue(report.ratio() > 7, "ratio " + report.ratio());
        long kept = 0;
        for (LayerReport l : report.layers()) {
            long nz = Arrays.stream(boxed(g.initializers().get(l.name()).floats())).filter(v -> v != 0).count();
            assertEquals(nz, l.nonZeros(), l.name());
            kept += nz;
            assertTrue(l.huffmanSavedBytes() >= 0, l.name());
            if (l.format().contains("huffman")) {
                assertTrue(l.huffmanSavedBytes() > 0, l.name() + " chose Huffman, so it must have saved something");
            }
            assertEquals(8.0 * l.indexBytes() / Math.max(1, l.nonZeros()), l.indexBitsPerWeight(), 1e-12);
        }
        assertEquals(Math.round(0.08 * 266_200), kept, 50, "global 92% of the weights (biases are zero here)");
    }

    private static Float[] boxed(float[] a) {
        Float[] r = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    private static long assertDoesNotThrowSize(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aConvNetRoundTripsAndComputesTheSameOutputs() {
        Graph g = MagnitudePruning.layerwise(0.8).prune(Zoo.build("lenet5", 3)).graph();
        SplittableRandom rb = new SplittableRandom(8);
        g.initializers().forEach((k, t) -> {
            if (k.endsWith(".bias")) { // zero at initialization: give the dense format something to store
                for (int i = 0; i < t.size(); i++) {
                    t.floats()[i] = (float) rb.nextGaussian();
                }
            }
        });
        Mnz.Encoded e = Mnz.encode(g, ONNX, false);
        Graph back = Mnz.decode(e.bytes(), ONNX, "lenet5.mnz");
        assertSameWeights(g, back);
        Tensor x = Tensor.zeros(Shape.of(2, 1, 28, 28));
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = (float) r.nextGaussian();
        }
        assertArrayEquals(new TrainingExecutor(g).predict(x).floats(), new TrainingExecutor(back).predict(x).floats());
        assertTrue(e.report().layers().stream().anyMatch(l -> l.format().equals("dense")), "biases are dense");
    }

    @Test
    void settingsStayInTheGraphAndBatchNormStatisticsAreEncoded() {
        Graph g = MagnitudePruning.layerwise(0.5).prune(Zoo.build("mobilenetv2-cifar", 1)).graph();
        List<String> layers = Mnz.encodable(g);
        List<String> scalars = g.initializers().entrySet().stream().filter(en -> en.getValue().shape().rank() == 0)
                .map(Map.Entry::getKey).toList();
        assertFalse(scalars.isEmpty(), "relu6's Clip bounds are scalar initializers");
        scalars.forEach(n -> assertFalse(layers.contains(n), n + " is a setting"));
        assertTrue(layers.stream().anyMatch(n -> n.contains("running_mean") || n.contains("mean")), layers.toString());
        Mnz.Encoded e = Mnz.encode(g, ONNX, false);
        assertEquals(layers, e.report().layers().stream().map(LayerReport::name).toList());
        Graph back = Mnz.decode(e.bytes(), ONNX, "mobilenet.mnz");
        assertSameWeights(g, back);
        Tensor x = Tensor.zeros(Shape.of(1, 3, 32, 32));
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = (float) r.nextGaussian();
        }
        assertArrayEquals(new TrainingExecutor(g).predict(x).floats(), new TrainingExecutor(back).predict(x).floats());
    }

    @Test
    void aModelExportedByPyTorchStillMatchesPyTorchAfterTheRoundTrip() throws Exception {
        byte[] model;
        byte[] io;
        try (var m = MnzTest.class.getResourceAsStream("/golden/torch-resnet8.onnx");
             var b = MnzTest.class.getResourceAsStream("/golden/torch-resnet8-io.bin")) {
            model = m.readAllBytes();
            io = b.readAllBytes();
        }
        Graph g = Onnx.fromBytes(model); // not pruned: the output must still be PyTorch's
        Graph back = Mnz.decode(Mnz.encode(g, ONNX, false).bytes(), ONNX, "resnet8.mnz");
        assertSameWeights(g, back);
        // golden file (tools/golden/torch_resnet_export.py): MNGL, version 1, then input and PyTorch's output
        ByteBuffer buf = ByteBuffer.wrap(io).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x4C474E4D, buf.getInt(), "MNGL");
        assertEquals(1, buf.getInt());
        float[][] r = new float[2][];
        for (int k = 0; k < 2; k++) {
            r[k] = new float[buf.getInt()];
            for (int i = 0; i < r[k].length; i++) {
                r[k][i] = buf.getFloat();
            }
        }
        float[] y = new TrainingExecutor(back).predict(Tensor.of(Shape.of(2, 3, 32, 32), r[0])).floats();
        assertEquals(r[1].length, y.length);
        for (int i = 0; i < y.length; i++) {
            assertEquals(r[1][i], y[i], 1e-3 * (1 + Math.abs(r[1][i])), "decoded model agrees with PyTorch at " + i);
        }
    }

    @Test
    void sharedWeightsAreStoredAsCodebookIndicesAndStillRoundTripExactly() {
        Graph g = prunedLenet300();
        Mnz.Report plain = Mnz.encode(g, ONNX, false).report();
        // a stand-in for k-means: snap every nonzero weight of each layer to one of 16 levels
        for (String name : MagnitudePruning.prunableWeights(g)) {
            float[] w = g.initializers().get(name).floats();
            float max = 0;
            for (float v : w) {
                max = Math.max(max, Math.abs(v));
            }
            for (int i = 0; i < w.length; i++) {
                if (w[i] != 0) {
                    int level = Math.min(15, (int) ((w[i] / max + 1) / 2 * 16));
                    w[i] = (level + 0.5f) / 16 * 2 * max - max;
                }
            }
        }
        Mnz.Encoded e = Mnz.encode(g, ONNX, false);
        assertSameWeights(g, Mnz.decode(e.bytes(), ONNX, "shared.mnz"));
        for (LayerReport l : e.report().layers()) {
            if (MagnitudePruning.prunableWeights(g).contains(l.name())) {
                assertTrue(l.valueCoding().startsWith("codebook"), l.name() + " uses " + l.valueCoding());
                assertTrue(l.codebookBytes() > 0 && l.codebookBytes() <= 2 + 4 * 17, l.name());
            }
        }
        System.out.printf("with 16 shared values per layer: %.2fx (without sharing %.2fx)%n", e.report().ratio(),
                plain.ratio());
        assertTrue(e.report().ratio() > 1.5 * plain.ratio());
    }

    @Test
    void float16IsLossyByExactlyTheHalfRounding() {
        Graph g = prunedLenet300();
        Mnz.Encoded e = Mnz.encode(g, ONNX, true);
        Graph back = Mnz.decode(e.bytes(), ONNX, "half.mnz");
        g.initializers().forEach((k, t) -> {
            float[] want = t.floats().clone();
            for (int i = 0; i < want.length; i++) {
                want[i] = Float.float16ToFloat(Float.floatToFloat16(want[i]));
            }
            assertArrayEquals(want, back.initializers().get(k).floats(), k);
        });
        assertTrue(e.bytes().length < Mnz.encode(g, ONNX, false).bytes().length);
    }

    @Test
    void theBytesAreWhereTheMapInMnzSaysTheyAre() {
        Mnz.Encoded e = Mnz.encode(prunedLenet300(), ONNX, false);
        ByteBuffer b = ByteBuffer.wrap(e.bytes());
        assertEquals(0x4D4E5A1A, b.getInt(0));
        assertEquals(Mnz.VERSION, b.getShort(4));
        List<Mnz.Section> sections = Mnz.sections(e.bytes(), "t");
        for (int i = 1; i < sections.size() - 1; i++) {
            LayerReport l = e.report().layers().get(i - 1);
            int at = sections.get(i).offset();
            int n = l.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            int rank = l.shape().size();
            assertEquals(Mnz.KIND_LAYER, e.bytes()[at - 5]);
            assertEquals(n, b.getShort(at));
            assertEquals(rank, e.bytes()[at + 3 + n]);
            assertEquals(l.shape().get(0), b.getInt(at + 4 + n));
            assertEquals(l.storedValues(), b.getInt(at + 6 + n + 4 * rank));
            assertEquals(l.indexBytes(), b.getInt(at + 10 + n + 4 * rank));
            int index = (int) l.indexBytes();
            assertEquals(l.valueBytes() + l.codebookBytes(), b.getInt(at + 15 + n + 4 * rank + index));
            assertEquals(28 + n + 4 * rank, l.headerBytes(), "framing 9 + fields 19 + name + dims");
            assertEquals(sections.get(i).length(), 19 + n + 4 * rank + index + l.valueBytes() + l.codebookBytes());
        }
    }

    @Test
    void aCorruptByteInAnySectionIsCaughtBeforeUse() {
        byte[] good = Mnz.encode(prunedLenet300(), ONNX, false).bytes();
        List<Mnz.Section> sections = Mnz.sections(good, "t");
        assertEquals(1 + 3 * 2 + 1, sections.size(), "graph, weight and bias of three layers, end");
        for (int i = 0; i < sections.size(); i++) {
            Mnz.Section s = sections.get(i);
            int[] offsets = {s.offset() - 5, s.offset() - 2, s.offset() + s.length() / 2, s.offset() + s.length() + 1};
            for (int at : offsets) {
                byte[] bad = good.clone();
                bad[at] ^= 0x10;
                InvalidInputException ex = assertThrows(InvalidInputException.class,
                        () -> Mnz.decode(bad, ONNX, "bad.mnz"), "byte " + at + " of section " + i);
                assertTrue(ex.getMessage().contains("bad.mnz"), ex.getMessage());
                assertTrue(ex.getMessage().contains("corrupt") || ex.getMessage().contains("truncated"),
                        ex.getMessage());
            }
        }
        for (int at = 0; at < Mnz.PREAMBLE_BYTES; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 0x01;
            assertThrows(InvalidInputException.class, () -> Mnz.decode(bad, ONNX, "bad.mnz"), "preamble byte " + at);
        }
    }

    @Test
    void aTruncatedFileIsCaughtWhereverItIsCut() {
        byte[] good = Mnz.encode(prunedLenet300(), ONNX, false).bytes();
        List<Mnz.Section> sections = Mnz.sections(good, "t");
        Mnz.Section lastLayer = sections.get(sections.size() - 2);
        int[] cuts = {0, 3, 9, 10, 11, 200, good.length / 2, lastLayer.offset() + lastLayer.length() + 4,
                good.length - 5, good.length - 1};
        for (int cut : cuts) {
            byte[] bad = Arrays.copyOf(good, cut);
            InvalidInputException ex = assertThrows(InvalidInputException.class,
                    () -> Mnz.decode(bad, ONNX, "cut.mnz"), "cut at " + cut);
            String m = ex.getMessage();
            assertTrue(cut < Mnz.PREAMBLE_BYTES ? m.contains("not a .mnz file") : m.contains("truncated"), cut + ": " + m);
        }
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertThrows(InvalidInputException.class, () -> Mnz.decode(longer, ONNX, "long.mnz"));
    }

    @Test
    void aVersionFromTheFutureIsRefusedWithAnUpgradeHint() {
        byte[] bytes = Mnz.encode(prunedLenet300(), ONNX, false).bytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putShort(4, (short) (Mnz.VERSION + 1));
        b.putInt(6, Mnz.crc(bytes, 0, 6));
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> Mnz.decode(bytes, ONNX, "new.mnz"));
        assertTrue(ex.getMessage().contains("version " + (Mnz.VERSION + 1)) && ex.getMessage().contains("newer Minnow"), ex.getMessage());
    }

    /** Version 1 (a draft with raw graph sections and 5-bit Huffman tables) is refused with a hint, not misread. */
    @Test
    void aVersionOneFileIsRefusedWithAHintToEncodeAgain() {
        byte[] bytes = Mnz.encode(prunedLenet300(), ONNX, false).bytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putShort(4, (short) 1);
        b.putInt(6, Mnz.crc(bytes, 0, 6));
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> Mnz.decode(bytes, ONNX, "old.mnz"));
        assertTrue(ex.getMessage().contains("version 1") && ex.getMessage().contains("minnow encode"), ex.getMessage());
    }

    @Test
    void aCorruptCompressedGraphIsAUserError() {
        byte[] bytes = Mnz.encode(prunedLenet300(), ONNX, false).bytes();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int length = b.getInt(Mnz.PREAMBLE_BYTES + 1);
        for (int i = 0; i < length; i += 7) {
            bytes[Mnz.PREAMBLE_BYTES + 5 + i] ^= (byte) 0x5A;
        }
        b.putInt(Mnz.PREAMBLE_BYTES + 5 + length, Mnz.crc(bytes, Mnz.PREAMBLE_BYTES, 5 + length));
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> Mnz.decode(bytes, ONNX, "bad.mnz"));
        assertTrue(ex.getMessage().contains("bad.mnz"), ex.getMessage());
    }

    @Test
    void aModelWithNothingToCompressIsRefused() {
        Graph g = Zoo.build("lenet-300-100", 1);
        g.initializers().clear();
        InvalidInputException ex = assertThrows(InvalidInputException.class, () -> Mnz.encode(g, ONNX, false));
        assertTrue(ex.getMessage().contains("no float32 weights"), ex.getMessage());
    }

    @Test
    void writingIsAtomicAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.mnz");
        Files.write(file, new byte[] {1, 2, 3});
        Mnz.write(prunedLenet300(), file, ONNX, false);
        assertEquals(List.of(file), Files.list(dir).toList());
        assertFalse(Arrays.equals(new byte[] {1, 2, 3}, Files.readAllBytes(file)));
        Map<String, Tensor> w = Mnz.read(file, ONNX).initializers();
        assertEquals(6, w.size());
    }
}
