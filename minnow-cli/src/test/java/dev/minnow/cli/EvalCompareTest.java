package dev.minnow.cli;

import static dev.minnow.cli.FoundationEndToEndTest.number;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.data.Dataset;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** eval --compare-with (top-1 agreement of two models) and --samples (an evenly spread test subset). */
class EvalCompareTest {
    /** 12 one-pixel images stored class by class (4 per class), the pixel's value holding the index. */
    private static Dataset sortedByClass(int classes) {
        return new Dataset() {
            public int size() {
                return 12;
            }

            public Shape sampleShape() {
                return Shape.of(1, 1, 1);
            }

            public int numClasses() {
                return classes;
            }

            public void copySample(int index, float[] dst, int dstOffset) {
                dst[dstOffset] = index;
            }

            public int label(int index) {
                return index / 4 % classes;
            }
        };
    }

    /** Logits [n, width] with the peak at class f(pixel). */
    private static dev.minnow.train.Model peakAt(int width, java.util.function.IntUnaryOperator f) {
        return batch -> {
            int n = batch.shape().dim(0);
            float[] x = batch.floats();
            float[] z = new float[n * width];
            for (int i = 0; i < n; i++) {
                z[i * width + f.applyAsInt((int) x[i])] = 1;
            }
            return Tensor.of(Shape.of(n, width), z);
        };
    }

    @Test
    void evenSubsetTakesEveryKthImageSoEveryClassIsPresent() {
        EvenSubset s = new EvenSubset(sortedByClass(3), 6);
        Set<Integer> labels = new HashSet<>();
        float[] px = new float[1];
        for (int i = 0; i < s.size(); i++) {
            s.copySample(i, px, 0);
            assertEquals(2 * i, (int) px[0], "index " + i);
            labels.add(s.label(i));
        }
        assertEquals(Set.of(0, 1, 2), labels);
    }

    @Test
    void agreementCountsSameTop1AndScoresBothModelsAgainstTheLabels() {
        Dataset d = sortedByClass(3);
        // the model is right everywhere; the reference says class 0 for every image: they agree on class 0's 4 images
        Agreement a = Agreement.measure(d, 5, peakAt(3, i -> i / 4), peakAt(3, i -> 0), new Progress("t", 12, "img"));
        assertEquals(12, a.samples());
        assertEquals(4, a.agreeing());
        assertEquals(1.0, a.top1());
        assertEquals(4 / 12.0, a.top1Reference(), 1e-12);
    }

    @Test
    void modelsWithOtherClassesThanTheDatasetAreComparedWithoutTop1() {
        // 1000 outputs on a 3-class dataset (an ImageNet model on CIFAR-10 images): agreement only
        Agreement a = Agreement.measure(sortedByClass(3), 4, peakAt(1000, i -> 500 + i % 2), peakAt(1000, i -> 500),
                new Progress("t", 12, "img"));
        assertEquals(6, a.agreeing(), "even pixels");
        assertNull(a.top1());
        assertNull(a.top1Reference());
    }

    @Test
    void cliReportsAgreementOnAnEvenSubset() {
        String data = Cli.dataDir().toString();
        Cli self = Cli.run("eval", "lenet5", "--compare-with", "lenet5", "--dataset", "mnist", "--data-dir", data,
                "--samples", "500", "--json");
        assertEquals(0, self.exitCode(), self.err());
        assertEquals(500, (long) number(self.json(), "samples"));
        assertEquals(1.0, number(self.json(), "agreement_top1"), "a model agrees with itself");
        assertEquals(number(self.json(), "top1"), number(self.json(), "top1_reference"));
        Cli other = Cli.run("eval", "lenet5", "--compare-with", "lenet-300-100", "--dataset", "mnist", "--data-dir", data,
                "--samples", "500", "--json");
        assertEquals(0, other.exitCode(), other.err());
        assertTrue(number(other.json(), "agreement_top1") < 0.9, "two untrained models: " + other.json());
        Cli bad = Cli.run("eval", "lenet5", "--dataset", "mnist", "--data-dir", data, "--samples", "0");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("--samples"), bad.err());
    }
}
