package dev.minnow.compress.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SparseFormatTest {
    private static List<SparseFormat> allFormats() {
        List<SparseFormat> r = new ArrayList<>(LayerEncoder.candidates());
        r.add(new RelativeIndex(RelativeIndex.MAX_GAP_BITS, false));
        r.add(new RelativeIndex(RelativeIndex.MAX_GAP_BITS, true));
        return r;
    }

    private static float[] randomWeights(Random r, int n, double density) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            if (r.nextDouble() < density) {
                w[i] = switch (r.nextInt(20)) {
                    case 0 -> -0.0f; // zero in value but not in bits: must survive
                    case 1 -> Float.intBitsToFloat(0x7fc01234); // a NaN with a payload
                    default -> (float) r.nextGaussian();
                };
            }
        }
        return w;
    }

    @Test
    void everyFormatRoundTripsBitExactlyAtManyDensitiesAndShapesWithTheSizeItAnnounces() {
        Random r = new Random(42);
        int[][] shapes = {{1, 1}, {1, 7}, {13, 17}, {64, 300}, {3, 1}};
        double[] densities = {0, 0.001, 0.05, 0.3, 0.7, 1.0};
        for (int[] s : shapes) {
            for (double d : densities) {
                float[] w = randomWeights(r, s[0] * s[1], d);
                for (SparseFormat f : allFormats()) {
                    String what = f.label() + " " + s[0] + "x" + s[1] + " density " + d;
                    SparseIndex idx = f.encode(w, s[0], s[1]);
                    assertEquals(idx.bytes().length, f.byteSize(w, s[0], s[1]), what + " byteSize");
                    assertEquals(idx.positions().length, f.storedCount(w), what + " storedCount");
                    int[] back = f.decode(idx.bytes(), s[0], s[1], idx.positions().length);
                    assertArrayEquals(idx.positions(), back, what + " positions");
                    float[] rebuilt = new float[w.length];
                    for (int p : back) {
                        rebuilt[p] = w[p];
                    }
                    for (int i = 0; i < w.length; i++) {
                        assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(rebuilt[i]), what + " @" + i);
                    }
                    if (!(f instanceof RelativeIndex) && !(f instanceof SparseFormat.Dense)) {
                        assertEquals(SparseFormat.nonZeroCount(w), back.length, what + " stores exactly the nonzeros");
                    }
                }
            }
        }
    }

    @Test
    void relativeIndexInsertsFillerZerosWhenAGapOverflowsKBits() {
        // k = 2: at most 3 zeros between entries. Nonzero only at 9: fillers at 3 and 7, then 9 with gap 1.
        float[] w = new float[10];
        w[9] = 5f;
        SparseIndex idx = new RelativeIndex(2, false).encode(w, 1, 10);
        assertArrayEquals(new int[] {3, 7, 9}, idx.positions());
        // k, coding, then gaps 3,3,1 in 2 bits: 11 11 01 00 -> 0xF4
        assertArrayEquals(new byte[] {2, 0, (byte) 0xF4}, idx.bytes());

        // a gap of 999 with k = 3: a filler every 8 elements, as the paper's Figure 2
        float[] long1 = new float[1000];
        long1[999] = 1f;
        int[] p = new RelativeIndex(3, false).encode(long1, 1, 1000).positions();
        assertEquals(125, p.length);
        for (int i = 0; i < p.length; i++) {
            assertEquals(8 * i + 7, p[i]);
        }
        // a nonzero that lands exactly where a filler would go is stored once, as itself
        float[] exact = new float[8];
        exact[7] = 2f;
        assertArrayEquals(new int[] {7}, new RelativeIndex(3, false).encode(exact, 1, 8).positions());
        // trailing zeros cost nothing
        float[] lead = new float[100];
        lead[0] = 1f;
        assertArrayEquals(new int[] {0}, new RelativeIndex(3, false).encode(lead, 1, 100).positions());
    }

    @Test
    void csrAndCscMatchHandPackedBits() {
        float[] w = {0, 1, 0, 2, 0, 3}; // [[0,1,0],[2,0,3]]
        SparseIndex csr = CompressedSparse.CSR.encode(w, 2, 3);
        // pointers 0,1,3 in 2 bits, columns 1,0,2 in 2 bits: 000111 010010 -> 0x1D 0x20
        assertArrayEquals(new byte[] {0x1D, 0x20}, csr.bytes());
        assertArrayEquals(new int[] {1, 3, 5}, csr.positions());
        SparseIndex csc = CompressedSparse.CSC.encode(w, 2, 3);
        // pointers 0,1,2,3 in 2 bits, rows 1,0,1 in 1 bit: 00011011 101 -> 0x1B 0xA0
        assertArrayEquals(new byte[] {0x1B, (byte) 0xA0}, csc.bytes());
        assertArrayEquals(new int[] {3, 1, 5}, csc.positions(), "column by column");
        assertArrayEquals(new byte[] {0b0101_0100}, SparseFormat.Bitmask.INSTANCE.encode(w, 2, 3).bytes());
    }

    @Test
    void edgeCasesAllZeroAllDenseAndOneElement() {
        float[] zeros = new float[50];
        assertEquals(0, CompressedSparse.CSR.encode(zeros, 5, 10).bytes().length, "no nonzeros: 0-bit pointers");
        assertEquals(7, SparseFormat.Bitmask.INSTANCE.byteSize(zeros, 5, 10));
        assertEquals(2, new RelativeIndex(8, false).byteSize(zeros, 5, 10), "only k and the coding byte");
        float[] one = {0.5f};
        for (SparseFormat f : allFormats()) {
            SparseIndex idx = f.encode(one, 1, 1);
            assertArrayEquals(new int[] {0}, f.decode(idx.bytes(), 1, 1, 1), f.label());
        }
        float[] dense = new float[64];
        java.util.Arrays.fill(dense, 1f);
        EncodedLayer e = LayerEncoder.encode("d", Tensor.wrap(dev.minnow.tensor.DType.FLOAT32, Shape.of(8, 8), dense),
                false);
        assertEquals(SparseFormat.Dense.INSTANCE, e.format(), "a dense layer needs no index");
    }

    @Test
    void theEncoderPicksTheSmallestCandidateAndAConvWeightUsesItsOutByRestView() {
        Random r = new Random(9);
        for (double d : new double[] {0.02, 0.1, 0.5, 0.95}) {
            float[] w = randomWeights(r, 16 * 3 * 3 * 3, d);
            // 0.95: more than 256 distinct values, sizes come from byteSize; below: codebooks are tried
            assertEquals(d > 0.9, java.util.Arrays.stream(boxed(w)).filter(v -> Float.floatToRawIntBits(v) != 0)
                    .map(Float::floatToRawIntBits).distinct().count() > ValueCoding.MAX_CODEBOOK);
            Shape shape = Shape.of(16, 3, 3, 3);
            EncodedLayer best = LayerEncoder.encode("conv", Tensor.wrap(dev.minnow.tensor.DType.FLOAT32, shape, w), false);
            for (SparseFormat f : LayerEncoder.candidates()) {
                EncodedLayer e = LayerEncoder.encodeWith("conv", shape, w, 16, 27, f, false);
                assertTrue(best.dataBytes() <= e.dataBytes(), f.label() + " at density " + d);
            }
            int[] back = best.format().decode(best.indexBytes(), 16, 27, best.storedCount());
            float[] v = best.values().coding().decode(best.values().bytes(), best.storedCount(), "t");
            float[] rebuilt = new float[w.length];
            for (int i = 0; i < back.length; i++) {
                rebuilt[back[i]] = v[i];
            }
            for (int i = 0; i < w.length; i++) {
                assertEquals(Float.floatToRawIntBits(w[i]), Float.floatToRawIntBits(rebuilt[i]));
            }
        }
        float[] sparse = randomWeights(r, 5000, 0.01);
        EncodedLayer e = LayerEncoder.encode("fc", Tensor.wrap(dev.minnow.tensor.DType.FLOAT32, Shape.of(50, 100), sparse),
                false);
        assertNotEquals(SparseFormat.Dense.INSTANCE, e.format());
        assertNotEquals(SparseFormat.Bitmask.INSTANCE, e.format(), "1% density: a bit per element loses");
    }

    private static Float[] boxed(float[] a) {
        Float[] r = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }

    @Test
    void inconsistentIndexBytesAreInvalidInput() {
        float[] w = randomWeights(new Random(1), 200, 0.2);
        for (SparseFormat f : allFormats()) {
            SparseIndex idx = f.encode(w, 10, 20);
            int n = idx.positions().length;
            if (f instanceof RelativeIndex) {
                assertThrows(InvalidInputException.class, () -> f.decode(idx.bytes(), 10, 20, n + 40), f.label());
            } else {
                assertThrows(InvalidInputException.class, () -> f.decode(idx.bytes(), 10, 20, n + 1), f.label());
            }
        }
        assertThrows(InvalidInputException.class, () -> SparseFormat.byId(9, 0));
        assertThrows(InvalidInputException.class, () -> SparseFormat.byId(4, 0), "k = 0");
    }
}
