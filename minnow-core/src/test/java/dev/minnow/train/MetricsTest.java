package dev.minnow.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void topOneTopFiveLossAndConfusionOnAHandMadeBatch() {
        // 6 classes, 3 samples
        Tensor logits = Tensor.of(Shape.of(3, 6),
                9, 1, 2, 3, 4, 5,     // label 0: rank 0 (top-1)
                0, 9, 8, 7, 6, 5,     // label 5: rank 4 (top-5, not top-1), predicted 1
                1, 1, 1, 1, 1, 1);    // label 5, all tied: rank 5 (ties go to lower index), predicted 0
        Metrics m = new Metrics(6);
        m.add(logits, new int[] {0, 5, 5, 99}, 3, 2.0);
        m.add(Tensor.of(Shape.of(1, 6), 0, 0, 7, 0, 0, 0), new int[] {2}, 1, 6.0);
        EvalResult r = m.result();
        assertEquals(4, r.samples());
        assertEquals(2 / 4.0, r.top1());
        assertEquals(3 / 4.0, r.top5());
        assertEquals((2.0 * 3 + 6.0) / 4, r.loss(), 1e-12);
        assertEquals(1, r.confusion().count(5, 1));
        assertEquals(1, r.confusion().count(5, 0));
        assertEquals(1, r.confusion().count(2, 2));
        assertEquals(0.5, r.confusion().accuracy());
        assertEquals(4, r.confusion().total());
    }
}
