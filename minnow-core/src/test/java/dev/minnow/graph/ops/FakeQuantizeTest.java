package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.MinnowException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FakeQuantize (dev.minnow) against QuantizeLinear + DequantizeLinear, and its straight-through backward. */
class FakeQuantizeTest {
    static Op fq(Object... kv) {
        return OpRegistry.global().create(OpRegistry.MINNOW_DOMAIN, "FakeQuantize", Attributes.of(kv));
    }

    static Tensor i8(Shape s, int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return Tensor.wrap(DType.INT8, s, b);
    }

    @Test
    void handCase() {
        // s = 0.5, z = 1, int8: 0.26/0.5 = 0.52 -> 1 (+1 = 2) -> (2-1)*0.5; 0.75 -> 1.5 -> 2 (half to even); 100 saturates at 127
        Tensor x = Tensor.of(Shape.of(4), 0.26f, 0.75f, 100f, -100f);
        Tensor y = fq().forward(null, new Tensor[] {x, Tensor.scalar(0.5f), i8(Shape.of(), 1)})[0];
        assertArrayEquals(new float[] {0.5f, 1f, 63f, -64.5f}, y.floats());
    }

    /** Equal to QuantizeLinear then DequantizeLinear, per tensor and per channel, on random data. */
    @Test
    void matchesQuantizeThenDequantize() {
        SplittableRandom r = new SplittableRandom(3);
        Tensor x = GradCheck.random(r, 2, 3, 4, 5);
        float[] a = x.floats();
        for (int i = 0; i < a.length; i++) {
            a[i] *= 3; // some elements saturate
        }
        Op q = OpRegistry.global().create("QuantizeLinear", new Attributes());
        Op dq = OpRegistry.global().create("DequantizeLinear", new Attributes());
        Tensor[][] params = {
            {Tensor.scalar(0.02f), i8(Shape.of(), -3)},
            {Tensor.of(Shape.of(3), 0.01f, 0.03f, 0.05f), i8(Shape.of(3), 0, 5, -7)},
        };
        for (Tensor[] p : params) {
            Tensor twin = dq.forward(null, new Tensor[] {q.forward(null, new Tensor[] {x, p[0], p[1]})[0], p[0], p[1]})[0];
            Tensor y = fq().forward(null, new Tensor[] {x, p[0], p[1]})[0];
            assertArrayEquals(twin.floats(), y.floats(), 1e-6f, "scale " + p[0].shape());
        }
    }

    /** Clipped straight-through estimator: the gradient passes where round(x/s)+z is inside [qmin, qmax]. */
    @Test
    void straightThroughBackward() {
        Op op = fq("qmin", 0L, "qmax", 15L);
        Tensor x = Tensor.of(Shape.of(5), -0.3f, 0.1f, 1.4f, 1.6f, 5f);
        Tensor s = Tensor.scalar(0.1f);
        Tensor[] in = {x, s, null};
        Tensor y = op.forward(null, in)[0];
        assertArrayEquals(new float[] {0f, 0.1f, 1.4f, 1.5f, 1.5f}, y.floats(), 1e-6f);
        Tensor g = Tensor.of(Shape.of(5), 1, 2, 3, 4, 5);
        Tensor[] grads = op.backward(null, in, new Tensor[] {y}, new Tensor[] {g});
        assertArrayEquals(new float[] {0, 2, 3, 0, 0}, grads[0].floats());
        assertNull(grads[1], "the scale gets no gradient");
    }

    @Test
    void rolesDomainAndErrors() {
        Op op = fq();
        assertEquals(OpRegistry.MINNOW_DOMAIN, op.domain());
        assertEquals(InputRole.DATA, op.inputRole(0));
        assertEquals(InputRole.QUANT_PARAM, op.inputRole(1));
        assertEquals(InputRole.QUANT_PARAM, op.inputRole(2));
        assertThrows(MinnowException.class, () -> fq("qmin", 5L, "qmax", 5L));
        Tensor x = Tensor.zeros(Shape.of(1, 3, 2));
        assertThrows(MinnowException.class, () -> fq().forward(null, new Tensor[] {x, Tensor.of(Shape.of(2), 1, 1), null}));
    }
}
