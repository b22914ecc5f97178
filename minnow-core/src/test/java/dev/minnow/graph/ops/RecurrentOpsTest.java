package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecurrentOpsTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    @Test
    void rnnHandCase() {
        Tensor x = Tensor.of(Shape.of(2, 1, 1), 1, 2);
        Tensor w = Tensor.of(Shape.of(1, 1, 1), 0.5f);
        Tensor r = Tensor.of(Shape.of(1, 1, 1), 0.25f);
        Tensor b = Tensor.of(Shape.of(1, 2), 0.1f, 0.2f);
        Tensor[] out = op("RNN", "hidden_size", 1).forward(null, new Tensor[] {x, w, r, b});
        double h1 = Math.tanh(0.5 + 0.3);
        double h2 = Math.tanh(1.0 + 0.25 * h1 + 0.3);
        assertArrayEquals(new float[] {(float) h1, (float) h2}, out[0].floats(), 1e-6f);
        assertEquals(Shape.of(2, 1, 1, 1), out[0].shape());
        assertArrayEquals(new float[] {(float) h2}, out[1].floats(), 1e-6f);
    }

    @Test
    void lstmAndGruWithZeroWeightsHalveTheirState() {
        Tensor x = Tensor.of(Shape.of(1, 1, 1), 3);
        Tensor[] lstm = op("LSTM", "hidden_size", 1).forward(null, new Tensor[] {x, Tensor.zeros(Shape.of(1, 4, 1)),
                Tensor.zeros(Shape.of(1, 4, 1)), null, null, Tensor.of(Shape.of(1, 1, 1), 0.3f), Tensor.of(Shape.of(1, 1, 1), 1f)});
        // i = f = o = 0.5, candidate tanh(0) = 0: C = 0.5 * 1, H = 0.5 * tanh(0.5)
        assertEquals(0.5f, lstm[2].floats()[0], 1e-6f);
        assertEquals((float) (0.5 * Math.tanh(0.5)), lstm[1].floats()[0], 1e-6f);
        Tensor[] gru = op("GRU", "hidden_size", 1).forward(null, new Tensor[] {x, Tensor.zeros(Shape.of(1, 3, 1)),
                Tensor.zeros(Shape.of(1, 3, 1)), null, null, Tensor.of(Shape.of(1, 1, 1), 0.8f)});
        // z = 0.5, candidate tanh(0) = 0: H = 0.5 * 0.8
        assertEquals(0.4f, gru[1].floats()[0], 1e-6f);
    }

    /** Reverses the time axis of [seq, batch, input]. */
    static Tensor reversed(Tensor x) {
        int[] d = x.shape().dims();
        int step = d[1] * d[2];
        float[] r = new float[x.size()];
        for (int t = 0; t < d[0]; t++) {
            System.arraycopy(x.floats(), t * step, r, (d[0] - 1 - t) * step, step);
        }
        return Tensor.of(x.shape(), r);
    }

    @Test
    void bidirectionalIsForwardPlusReversedAndSequenceLengthsHold() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (String type : new String[] {"RNN", "GRU", "LSTM"}) {
            int g = type.equals("RNN") ? 1 : type.equals("GRU") ? 3 : 4;
            int hid = 3;
            Tensor x = GradCheck.random(rnd, 4, 2, 2);
            Tensor w = GradCheck.random(rnd, 2, g * hid, 2);
            Tensor r = GradCheck.random(rnd, 2, g * hid, hid);
            Tensor b = GradCheck.random(rnd, 2, 2 * g * hid);
            Tensor[] bi = op(type, "hidden_size", hid, "direction", "bidirectional").forward(null, new Tensor[] {x, w, r, b});
            Tensor w1 = Tensor.of(Shape.of(1, g * hid, 2), Arrays.copyOfRange(w.floats(), g * hid * 2, 2 * g * hid * 2));
            Tensor r1 = Tensor.of(Shape.of(1, g * hid, hid), Arrays.copyOfRange(r.floats(), g * hid * hid, 2 * g * hid * hid));
            Tensor b1 = Tensor.of(Shape.of(1, 2 * g * hid), Arrays.copyOfRange(b.floats(), 2 * g * hid, 4 * g * hid));
            Tensor[] fwdOfReversed = op(type, "hidden_size", hid).forward(null, new Tensor[] {reversed(x), w1, r1, b1});
            Tensor[] rev = op(type, "hidden_size", hid, "direction", "reverse").forward(null, new Tensor[] {x, w1, r1, b1});
            assertArrayEquals(fwdOfReversed[1].floats(), rev[1].floats(), 1e-6f, type);
            assertArrayEquals(rev[1].floats(), Arrays.copyOfRange(bi[1].floats(), 2 * hid, 4 * hid), 1e-6f, type);
            // batch row 1 of length 2: its state after step 1 equals a run on the first two steps only
            Tensor lens = Tensor.ofInts(Shape.of(2), 4, 2);
            Tensor[] cut = op(type, "hidden_size", hid).forward(null, new Tensor[] {x, w1,
                    r1, b1, lens});
            Tensor x2 = Tensor.of(Shape.of(2, 2, 2), Arrays.copyOf(x.floats(), 8));
            Tensor[] two = op(type, "hidden_size", hid).forward(null, new Tensor[] {x2, w1, r1, b1});
            assertArrayEquals(Arrays.copyOfRange(two[1].floats(), hid, 2 * hid), Arrays.copyOfRange(cut[1].floats(), hid, 2 * hid),
                    1e-6f, type);
            assertEquals(0f, cut[0].floats()[(3 * 2 + 1) * hid], type + ": Y past the sequence end is 0");
        }
    }

    @Test
    void layoutOneAndAttributeChecks() {
        Op op = op("LSTM", "hidden_size", 5, "layout", 1);
        var types = op.inferTypes(java.util.List.of(TensorType.f32(-1, 7, 3), TensorType.f32(1, 20, 3), TensorType.f32(1, 20, 5)),
                Arrays.asList(null, null, null));
        assertEquals(Shape.of(-1, 7, 1, 5), types.get(0).shape());
        assertEquals(Shape.of(-1, 1, 5), types.get(2).shape());
        assertThrows(UnsupportedOpException.class, () -> op("GRU", "hidden_size", 2, "direction", "sideways"));
        assertThrows(UnsupportedOpException.class, () -> op("RNN", "hidden_size", 2, "activations", new String[] {"Swish"}));
        assertThrows(UnsupportedOpException.class, () -> op("RNN"));
    }
}
