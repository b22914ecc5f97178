package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {
    @Test
    void quarterTurnByHand() {
        // one head of size 4, pairs (0, 2) and (1, 3); position 0 turns by 90 degrees, the second pair not at all
        Tensor x = f(dims(1, 1, 1, 4), 1, 5, 0, 7);
        Tensor cos = f(dims(1, 2), 0, 1);
        Tensor sin = f(dims(1, 2), 1, 0);
        Tensor y = run1(op("RotaryEmbedding"), x, cos, sin, Tensor.ofLongs(Shape.of(1, 1), 0));
        assertClose(new float[] {0, 5, 1, 7}, y, 1e-7);
        Tensor yi = run1(op("RotaryEmbedding", "interleaved", 1L), x, cos, sin, Tensor.ofLongs(Shape.of(1, 1), 0));
        // interleaved pairs (0, 1) and (2, 3): (1, 5) -> (-5, 1); (0, 7) unchanged
        assertClose(new float[] {-5, 1, 0, 7}, yi, 1e-7);
    }

    @Test
    void gradient() {
        SplittableRandom r = new SplittableRandom(8);
        Tensor cache = GradCheck.random(r, 3, 2);
        Tensor sinCache = GradCheck.random(r, 3, 2);
        GradCheck.check(op("RotaryEmbedding", "num_heads", 2L), new Tensor[] {GradCheck.random(r, 1, 3, 8), cache, sinCache,
            Tensor.ofLongs(Shape.of(1, 3), 2, 0, 1)}, 0);
    }
}
