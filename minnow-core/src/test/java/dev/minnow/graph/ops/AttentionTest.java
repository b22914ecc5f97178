package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
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

    @Test
    void linearAttentionRecurrencesByHand() {
        // one head, d_k = d_v = 1: q = (1, 1), k = (1, 2), v = (3, 4), scale 1
        Tensor q = f(dims(1, 2, 1), 1, 1);
        Tensor kk = f(dims(1, 2, 1), 1, 2);
        Tensor vv = f(dims(1, 2, 1), 3, 4);
        Object[] heads = {"q_num_heads", 1L, "kv_num_heads", 1L, "scale", 1f};
        Tensor[] linear = run(op("LinearAttention", concat(heads, "update_rule", "linear")), q, kk, vv);
        assertClose(new float[] {3, 11}, linear[0], 1e-6); // S = 3, then 3 + 2 * 4
        assertClose(new float[] {11}, linear[1], 1e-6);
        Tensor halve = f(dims(1, 2, 1), (float) Math.log(0.5), (float) Math.log(0.5));
        assertClose(new float[] {3, 9.5f}, run(op("LinearAttention", concat(heads, "update_rule", "gated")), q, kk, vv, null, halve)[0], 1e-6);
        // delta: the second value is corrected by what the state already returns for k = 2: 4 - 2 * 3
        Tensor beta = f(dims(1, 2, 1), 1, 1);
        assertClose(new float[] {3, -1}, run(op("LinearAttention", concat(heads, "update_rule", "delta")), q, kk, vv, null, null, beta)[0], 1e-6);
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void attentionGradientsThroughEveryOutput() {
        SplittableRandom r = new SplittableRandom(23);
        // grouped heads (4 q, 2 kv), a cache of 2, an additive mask, softcap; every qk output mode
        for (long mode = 0; mode <= 3; mode++) {
            Tensor[] in = {GradCheck.random(r, 2, 4, 3, 3), GradCheck.random(r, 2, 2, 2, 3), GradCheck.random(r, 2, 2, 2, 5),
                GradCheck.random(r, 3, 4), GradCheck.random(r, 2, 2, 2, 3), GradCheck.random(r, 2, 2, 2, 5)};
            GradCheck.check(op("Attention", "softcap", 1.5, "qk_matmul_output_mode", mode, "scale", 0.7), in,
                    new int[] {0, 1, 2, 4, 5}, false, 1e-3, 1e-2);
        }
        // 3-D inputs, causal with a cache (the qk output before the mask stays finite)
        Tensor[] in3 = {GradCheck.random(r, 2, 3, 2 * 3), GradCheck.random(r, 2, 3, 3), GradCheck.random(r, 2, 3, 5),
            null, GradCheck.random(r, 2, 1, 1, 3), GradCheck.random(r, 2, 1, 1, 5)};
        GradCheck.check(op("Attention", "q_num_heads", 2L, "kv_num_heads", 1L, "is_causal", 1L), in3,
                new int[] {0, 1, 2, 4, 5}, false, 1e-3, 1e-2);
        // a boolean mask, mode 3 (probabilities: 0 where masked)
        Tensor bool = Tensor.zeros(DType.BOOL, Shape.of(1, 3));
        bool.bytes()[0] = 1;
        bool.bytes()[2] = 1;
        Tensor[] inB = {GradCheck.random(r, 1, 2, 2, 3), GradCheck.random(r, 1, 2, 3, 3), GradCheck.random(r, 1, 2, 3, 2), bool};
        GradCheck.check(op("Attention", "qk_matmul_output_mode", 3L), inB, new int[] {0, 1, 2}, false, 1e-3, 1e-2);
    }
}
