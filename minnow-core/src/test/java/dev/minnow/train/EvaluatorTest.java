package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.data.Normalization;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    @Test
    void normalizesImagesAndCountsAgainstLabels() {
        TinyDataset data = new TinyDataset(10, 5);
        Normalization norm = new Normalization(new float[] {0.5f}, new float[] {0.25f});
        List<Float> firstPixels = new ArrayList<>();
        // a "model" that predicts class 0 for every sample and checks what it was given
        Model model = batch -> {
            int n = batch.shape().dim(0);
            for (int i = 0; i < n; i++) {
                firstPixels.add(batch.floats()[i * 16]);
            }
            float[] logits = new float[n * 3];
            for (int i = 0; i < n; i++) {
                logits[i * 3] = 1;
            }
            return Tensor.of(Shape.of(n, 3), logits);
        };
        List<Integer> progress = new ArrayList<>();
        EvalResult r = Evaluator.of(model).evaluate(data, norm, 4, (done, total) -> progress.add(done));
        assertEquals(List.of(4, 8, 10), progress);
        assertEquals(10, r.samples());
        float[] raw = new float[16];
        int zeros = 0;
        for (int i = 0; i < 10; i++) {
            data.copySample(i, raw, 0);
            assertEquals((raw[0] - 0.5f) / 0.25f, firstPixels.get(i), 1e-6f);
            zeros += data.label(i) == 0 ? 1 : 0;
        }
        assertEquals(zeros / 10.0, r.top1(), 1e-12);
        assertEquals(1.0, r.top5(), 1e-12, "3 classes are always in the top 5");
        // logits (1, 0, 0): loss -log(e / (e + 2)) for label 0, -log(1 / (e + 2)) otherwise
        double e = Math.E;
        double expectedLoss = (zeros * -Math.log(e / (e + 2)) + (10 - zeros) * -Math.log(1 / (e + 2))) / 10;
        assertEquals(expectedLoss, r.loss(), 1e-6);
        assertEquals(10 - zeros, r.confusion().count(1, 0) + r.confusion().count(2, 0));
    }
}
