package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DftTest {
    private final Tensor axis1 = Tensor.ofLongs(Shape.scalar(), 1);

    @Test
    void impulsesByHand() {
        Tensor delta = f(dims(1, 4, 1), 1, 0, 0, 0);
        assertClose(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, run1(op("DFT"), delta, null, axis1), 1e-6);
        Tensor shifted = f(dims(1, 4, 1), 0, 1, 0, 0);
        // e^{-2 pi i k / 4} = 1, -i, -1, i
        assertClose(new float[] {1, 0, 0, -1, -1, 0, 0, 1}, run1(op("DFT"), shifted, null, axis1), 1e-6);
        assertClose(new float[] {1, 0, 0, -1, -1, 0}, run1(op("DFT", "onesided", 1L), shifted, null, axis1), 1e-6);
        // truncated to length 2: (0, 1) -> (1, -1)
        assertClose(new float[] {1, 0, -1, 0}, run1(op("DFT", "_opset", 17L), shifted, longs(2)), 1e-6);
    }

    @Test
    void inverseUndoesForward() {
        Tensor x = GradCheck.random(new SplittableRandom(3), 2, 6, 1);
        Tensor spectrum = run1(op("DFT"), x, null, axis1);
        Tensor back = run1(op("DFT", "inverse", 1L), spectrum, null, axis1);
        float[] expected = new float[24];
        for (int i = 0; i < 12; i++) {
            expected[2 * i] = x.floats()[i];
        }
        assertClose(expected, back, 1e-5);
        Tensor half = run1(op("DFT", "onesided", 1L), x, null, axis1);
        assertShape(half, 2, 4, 2);
        assertClose(x.floats(), run1(op("DFT", "onesided", 1L, "inverse", 1L), half, null, axis1), 1e-5);
    }

    @Test
    void stftFramesAreWindowedTransforms() {
        Tensor signal = f(dims(1, 6, 1), 1, 2, 3, 4, 5, 6);
        Tensor window = f(dims(4), 0, 1, 1, 0);
        Tensor y = run(op("STFT"), signal, Tensor.ofLongs(Shape.scalar(), 2), window)[0];
        assertShape(y, 1, 2, 3, 2);
        // frame 0: (0, 2, 3, 0) -> bins 5, (-3 - 2i)... X[k] = 2 e^{-i pi k/2} + 3 e^{-i pi k}
        assertClose(new float[] {5, 0, -3, -2, 1, 0}, run(op("Slice"), y, longs(0, 0), longs(1, 1), longs(0, 1))[0]
                .reshape(Shape.of(6)), 1e-5);
    }

    @Test
    void melWeightMatrixByHand() {
        // 1 mel bin over 0-4000 Hz at 8 kHz, dft 8: mel edges 0, 715.4, 1430.7 are 0, 620.8 and 1791.6 Hz,
        // which fall in DFT bins floor(9 f / 8000) = 0, 0, 2: a filter rising at bin 0 and falling to bin 2
        Tensor w = run1(op("MelWeightMatrix"), Tensor.ofLongs(Shape.scalar(), 1), Tensor.ofLongs(Shape.scalar(), 8),
                Tensor.ofLongs(Shape.scalar(), 8000), Tensor.scalar(0), Tensor.scalar(4000));
        assertShape(w, 5, 1);
        assertClose(new float[] {1, 0.5f, 0, 0, 0}, w, 1e-6);
    }

    @Test
    void dftAndStftGradients() {
        SplittableRandom r = new SplittableRandom(6);
        Tensor none = null;
        Tensor pad = Tensor.ofLongs(Shape.scalar(), 7);
        Tensor cut = Tensor.ofLongs(Shape.scalar(), 4);
        for (Tensor len : new Tensor[] {none, pad, cut}) {
            for (int comps = 1; comps <= 2; comps++) {
                for (long inverse = 0; inverse <= 1; inverse++) {
                    for (long onesided = 0; onesided <= 1 - inverse; onesided++) {
                        GradCheck.check(op("DFT", "inverse", inverse, "onesided", onesided),
                                new Tensor[] {GradCheck.random(r, 2, 5, 3, comps), len}, new int[] {0}, false, 1e-3, 1e-3);
                    }
                }
            }
            // inverse real transform from the first bins, transform length 2 * (4 - 1) or dft_length
            GradCheck.check(op("DFT", "inverse", 1L, "onesided", 1L), new Tensor[] {GradCheck.random(r, 2, 4, 2), len},
                    new int[] {0}, false, 1e-3, 1e-3);
        }
        // axis 1 of [2, 5, 3, 2]: the transform runs over a strided axis
        GradCheck.check(op("DFT", "onesided", 1L), new Tensor[] {GradCheck.random(r, 2, 5, 3, 2), pad,
                Tensor.ofLongs(Shape.scalar(), 1)}, new int[] {0}, false, 1e-3, 1e-3);
        for (int comps = 1; comps <= 2; comps++) {
            Tensor step = Tensor.ofLongs(Shape.scalar(), 3);
            GradCheck.check(op("STFT"), new Tensor[] {GradCheck.random(r, 2, 13, comps), step, GradCheck.random(r, 5)},
                    new int[] {0, 2}, false, 1e-3, 1e-3);
            GradCheck.check(op("STFT", "onesided", 0L), new Tensor[] {GradCheck.random(r, 1, 9, comps), step, null,
                    Tensor.ofLongs(Shape.scalar(), 4)}, new int[] {0}, false, 1e-3, 1e-3);
        }
    }
}
