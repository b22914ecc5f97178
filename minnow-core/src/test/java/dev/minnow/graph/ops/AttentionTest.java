package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionTest {
    private final Tensor k = f(dims(1, 1, 2, 2), 1, 0, 0, 1);
    private final Tensor v = f(dims(1, 1, 2, 2), 1, 2, 3, 4);

    @Test
    void oneQueryByHand() {
        // scores (1/sqrt 2, 0): weights e^0.7071 / (e^0.7071 + 1) = 0.66976 and 0.33024
        Tensor[] r = run(op("Attention"), f(dims(1, 1, 1, 2), 1, 0), k, v);
        double w = Math.exp(Math.sqrt(0.5)) / (Math.exp(Math.sqrt(0.5)) + 1);
        assertClose(new float[] {(float) (w + 3 * (1 - w)), (float) (2 * w + 4 * (1 - w))}, r[0], 1e-6);
        assertShape(r[1], 1, 1, 2, 2);
        // a boolean mask that hides key 0 leaves only V[1]
        Tensor mask = Tensor.wrap(DType.BOOL, Shape.of(1, 2), new byte[] {0, 1});
        assertClose(new float[] {3, 4}, run(op("Attention"), f(dims(1, 1, 1, 2), 1, 0), k, v, mask)[0], 1e-6);
    }

    @Test
    void causalAndGroupedHeads() {
        // two queries, two q heads sharing one kv head; causal: query 0 sees only key 0
        Tensor q = f(dims(1, 2, 2, 2), 1, 0, 0, 1, 0, 1, 1, 0);
        Tensor y = run(op("Attention", "is_causal", 1L), q, k, v)[0];
        assertShape(y, 1, 2, 2, 2);
        assertClose(new float[] {1, 2}, run(op("Slice"), y, longs(0, 0), longs(1, 1), longs(1, 2))[0].reshape(Shape.of(2)), 1e-6);
        assertClose(new float[] {1, 2}, run(op("Slice"), y, longs(1, 0), longs(2, 1), longs(1, 2))[0].reshape(Shape.of(2)), 1e-6);
        // a past of one key makes the new query see both keys
        Tensor past = f(dims(1, 1, 1, 2), 1, 0);
        Tensor pastV = f(dims(1, 1, 1, 2), 1, 2);
        Tensor[] r = run(op("Attention", "is_causal", 1L), f(dims(1, 1, 1, 2), 0, 0), f(dims(1, 1, 1, 2), 0, 1),
                f(dims(1, 1, 1, 2), 3, 4), null, past, pastV);
        assertShape(r[1], 1, 1, 2, 2);
        assertClose(new float[] {2, 3}, r[0], 1e-6); // equal scores: the mean of (1, 2) and (3, 4)
        assertEquals(4, r.length);
    }
}
