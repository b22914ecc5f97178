package dev.minnow.graph.ops.tensor;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Op;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(7);

    @Test
    void broadcastArithmeticByHand() {
        Tensor a = f(dims(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor b = f(dims(3), 10, 20, 30);
        assertClose(new float[] {11, 22, 33, 14, 25, 36}, run1(op("Add"), a, b), 0);
        assertClose(new float[] {-9, -18, -27, -6, -15, -24}, run1(op("Sub"), a, b), 0);
        Tensor col = f(dims(2, 1), 2, -1);
        assertClose(new float[] {2, 4, 6, -4, -5, -6}, run1(op("Mul"), a, col), 0);
        assertClose(new float[] {0.5f, 1, 1.5f, -4, -5, -6}, run1(op("Div"), a, col), 1e-7);
        Tensor y = run1(op("Add"), f(dims(3, 1), 1, 2, 3), f(dims(1, 2), 10, 20));
        assertShape(y, 3, 2);
        assertClose(new float[] {11, 21, 12, 22, 13, 23}, y, 0);
    }

    @Test
    void legacyBroadcastAlignsFromAxis() {
        // opset 6: B [2] aligned with A [2, 3] at axis 0, i.e. added down the rows
        Tensor a = f(dims(2, 3), 1, 2, 3, 4, 5, 6);
        Tensor b = f(dims(2), 10, 20);
        assertClose(new float[] {11, 12, 13, 24, 25, 26}, run1(op("Add", "_opset", 6L, "broadcast", 1L, "axis", 0L), a, b), 0);
        GradCheck.check(op("Mul", "_opset", 6L, "broadcast", 1L, "axis", 1L), new Tensor[] {GradCheck.random(rnd, 2, 3, 4),
            GradCheck.random(rnd, 3)}, 0, 1);
    }

    @Test
    void broadcastShapesWithUnknownBatch() {
        Shape s = Broadcast.shape("Add", Shape.of(-1, 3, 1), Shape.of(4));
        assertEquals(Shape.of(-1, 3, 4), s);
        assertThrows(ShapeException.class, () -> Broadcast.shape("Add", Shape.of(2, 3), Shape.of(4)));
    }

    @Test
    void integerDivisionTruncatesAndUint8Wraps() {
        Tensor a = Tensor.ofInts(Shape.of(4), 7, -7, 7, -7);
        Tensor b = Tensor.ofInts(Shape.of(4), 2, 2, -2, -2);
        assertArrayEquals(new int[] {3, -3, -3, 3}, run1(op("Div"), a, b).ints());
        Tensor u = Tensor.wrap(DType.UINT8, Shape.of(2), new byte[] {3, (byte) 250});
        Tensor v = Tensor.wrap(DType.UINT8, Shape.of(2), new byte[] {5, 10});
        Tensor d = run1(op("Sub"), u, v);
        assertEquals(254, d.getDouble(0));
        assertEquals(240, d.getDouble(1));
        Tensor s = run1(op("Add"), u, v);
        assertEquals(8, s.getDouble(0));
        assertEquals(4, s.getDouble(1)); // 260 mod 256
    }

    @Test
    void binaryGradientsReduceOverBroadcastAxes() {
        for (String t : new String[] {"Add", "Sub", "Mul", "Div"}) {
            Tensor a = GradCheck.random(rnd, 2, 3, 4);
            Tensor b = randomAway(rnd, 0.5, 3, 1);
            GradCheck.check(op(t), new Tensor[] {a, b}, 0, 1);
            GradCheck.check(op(t), new Tensor[] {b, randomAway(rnd, 0.5, 2, 3, 4)}, 0, 1);
        }
    }

    @Test
    void activationsByHand() {
        Tensor x = f(dims(4), -2, -0.5f, 0.5f, 3);
        assertClose(new float[] {0, 0, 0.5f, 3}, run1(op("Relu"), x), 0);
        assertClose(new float[] {-0.02f, -0.005f, 0.5f, 3}, run1(op("LeakyRelu"), x), 1e-7);
        assertClose(new float[] {-0.2f, -0.05f, 0.5f, 3}, run1(op("LeakyRelu", "alpha", 0.1f), x), 1e-7);
        float[] sig = new float[4];
        float[] tanh = new float[4];
        for (int i = 0; i < 4; i++) {
            double v = x.floats()[i];
            sig[i] = (float) (1 / (1 + Math.exp(-v)));
            tanh[i] = (float) ((Math.exp(v) - Math.exp(-v)) / (Math.exp(v) + Math.exp(-v)));
        }
        assertClose(sig, run1(op("Sigmoid"), x), 1e-6);
        assertClose(tanh, run1(op("Tanh"), x), 1e-6);
    }

    @Test
    void clipFromInputsAndAttributes() {
        Tensor x = f(dims(5), -3, -1, 2, 6, 9);
        Tensor y = run1(op("Clip"), x, Tensor.scalar(0), Tensor.scalar(6));
        assertClose(new float[] {0, 0, 2, 6, 6}, y, 0);
        assertClose(new float[] {-3, -1, 2, 5, 5}, run1(op("Clip"), x, null, Tensor.scalar(5)), 0);
        assertClose(new float[] {-3, -1, 2, 6, 9}, run1(op("Clip"), x), 0);
        assertClose(new float[] {-1, -1, 2, 4, 4}, run1(op("Clip", "_opset", 6L, "min", -1f, "max", 4f), x), 0);
        // min > max: everything becomes max
        assertClose(new float[] {1, 1, 1, 1, 1}, run1(op("Clip"), x, Tensor.scalar(2), Tensor.scalar(1)), 0);
        Tensor i8 = Tensor.wrap(DType.INT8, Shape.of(3), new byte[] {-100, 5, 100});
        Tensor lo = Tensor.wrap(DType.INT8, Shape.scalar(), new byte[] {-10});
        Tensor c = run1(op("Clip"), i8, lo, null);
        assertArrayEquals(new byte[] {-10, 5, 100}, c.bytes());
    }

    @Test
    void unaryGradients() {
        String[] ops = {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Erf", "Softplus", "Softsign",
            "Elu", "Selu", "Celu", "HardSwish", "Mish", "Sin", "Cos", "Atan", "Sinh", "Asinh"};
        for (String t : ops) {
            GradCheck.check(op(t), new Tensor[] {randomAway(rnd, 0.05, 3, 5)}, 0);
        }
        Op gelu = op("Gelu");
        GradCheck.check(gelu, new Tensor[] {randomAway(rnd, 0.05, 3, 5)}, 0);
        GradCheck.check(op("Gelu", "approximate", "tanh"), new Tensor[] {randomAway(rnd, 0.05, 3, 5)}, 0);
        GradCheck.check(op("HardSigmoid", "alpha", 0.5f), new Tensor[] {randomAway(rnd, 0.05, 3, 5)}, 0);
        Tensor pos = GradCheck.random(rnd, 2, 4);
        for (int i = 0; i < pos.size(); i++) {
            pos.floats()[i] = Math.abs(pos.floats()[i]) + 0.5f;
        }
        for (String t : new String[] {"Sqrt", "Log", "Reciprocal"}) {
            GradCheck.check(op(t), new Tensor[] {pos}, 0);
        }
        Tensor x = GradCheck.random(rnd, 3, 4);
        for (int i = 0; i < x.size(); i++) {
            float v = x.floats()[i] * 8; // spread over [-8, 8) away from the bounds 0 and 6
            x.floats()[i] = Math.abs(v) < 0.1f || Math.abs(v - 6) < 0.1f ? v + 0.3f : v;
        }
        GradCheck.check(op("Clip"), new Tensor[] {x, Tensor.scalar(0), Tensor.scalar(6)}, 0);
    }

    @Test
    void erfMatchesTabulatedValues() {
        // Abramowitz & Stegun table 7.1
        double[][] table = {{0.1, 0.1124629160}, {0.5, 0.5204998778}, {1.0, 0.8427007929}, {2.0, 0.9953222650},
            {-1.5, -0.9661051465}, {3.0, 0.9999779095}};
        for (double[] row : table) {
            assertEquals(row[1], UnaryOps.erf(row[0]), 2e-7, "erf(" + row[0] + ")");
        }
    }

    @Test
    void comparisonsProduceBool() {
        Tensor a = f(dims(3), 1, 2, 3);
        Tensor b = f(dims(1), 2);
        assertArrayEquals(new byte[] {0, 1, 0}, run1(op("Equal"), a, b).bytes());
        assertArrayEquals(new byte[] {0, 0, 1}, run1(op("Greater"), a, b).bytes());
        assertArrayEquals(new byte[] {1, 1, 0}, run1(op("LessOrEqual"), a, b).bytes());
        Tensor t = Tensor.wrap(DType.BOOL, Shape.of(2), new byte[] {1, 0});
        Tensor u = Tensor.wrap(DType.BOOL, Shape.of(2, 1), new byte[] {1, 0});
        assertArrayEquals(new byte[] {1, 0, 0, 0}, run1(op("And"), t, u).bytes());
        assertArrayEquals(new byte[] {1, 1, 1, 0}, run1(op("Or"), t, u).bytes());
        assertArrayEquals(new byte[] {0, 1}, run1(op("Not"), t).bytes());
    }

    @Test
    void geluRejectsUnknownApproximation() {
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> op("Gelu", "approximate", "fast"));
        assertEquals(true, e.getMessage().contains("approximate"));
    }
}
