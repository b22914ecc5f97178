package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReductionOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(3);
    private final Tensor m = f(dims(2, 3), 1, -2, 3, 4, 5, -6);

    @Test
    void reductionsByHand() {
        assertClose(new float[] {2, 3}, run1(op("ReduceSum", "keepdims", 0L), m, longs(1)), 0);
        assertClose(new float[] {5, 3, -3}, run1(op("ReduceSum"), m, longs(0)), 0);
        assertShape(run1(op("ReduceSum"), m, longs(0)), 1, 3);
        assertClose(new float[] {5}, run1(op("ReduceSum"), m), 0);
        assertClose(new float[] {1, -2, 3, 4, 5, -6}, run1(op("ReduceSum", "noop_with_empty_axes", 1L), m), 0);
        assertClose(new float[] {2f / 3, 1}, run1(op("ReduceMean", "axes", new long[] {1}, "_opset", 13L), m), 1e-6);
        assertClose(new float[] {3, 5}, run1(op("ReduceMax", "keepdims", 0L), m, longs(-1)), 0);
        assertClose(new float[] {-2, -6}, run1(op("ReduceMin", "keepdims", 0L), m, longs(1)), 0);
        assertClose(new float[] {-6, -120}, run1(op("ReduceProd", "keepdims", 0L), m, longs(1)), 0);
        assertClose(new float[] {6, 15}, run1(op("ReduceL1", "keepdims", 0L), m, longs(1)), 0);
        assertClose(new float[] {(float) Math.sqrt(14), (float) Math.sqrt(77)}, run1(op("ReduceL2", "keepdims", 0L), m, longs(1)), 1e-6);
        assertClose(new float[] {14, 77}, run1(op("ReduceSumSquare", "keepdims", 0L), m, longs(1)), 0);
        double lse = Math.log(Math.exp(1) + Math.exp(-2) + Math.exp(3));
        assertEquals(lse, run1(op("ReduceLogSumExp", "keepdims", 0L), m, longs(1)).floats()[0], 1e-6);
        Tensor empty = Tensor.zeros(Shape.of(2, 0));
        assertClose(new float[] {0, 0}, run1(op("ReduceSum", "keepdims", 0L), empty, longs(1)), 0);
        assertClose(new float[] {1, 1}, run1(op("ReduceProd", "keepdims", 0L), empty, longs(1)), 0);
    }

    @Test
    void reductionGradients() {
        String[] kinds = {"Sum", "Mean", "Max", "Min", "Prod", "L1", "L2", "SumSquare", "LogSumExp"};
        for (String k : kinds) {
            Tensor x = randomAway(rnd, 0.1, 2, 3, 4);
            GradCheck.check(op("Reduce" + k), new Tensor[] {x, longs(1)}, 0);
            GradCheck.check(op("Reduce" + k, "keepdims", 0L), new Tensor[] {x, longs(0, 2)}, 0);
        }
        Tensor pos = GradCheck.random(rnd, 3, 4);
        for (int i = 0; i < pos.size(); i++) {
            pos.floats()[i] = Math.abs(pos.floats()[i]) + 0.5f;
        }
        GradCheck.check(op("ReduceLogSum"), new Tensor[] {pos, longs(1)}, 0);
        // product with one zero: the gradient of the zero is the product of the others
        Tensor z = f(dims(3), 2, 0, 3);
        Tensor[] g = op("ReduceProd").backward(null, new Tensor[] {z, longs(0)},
                run(op("ReduceProd"), z, longs(0)), new Tensor[] {f(dims(1), 1)});
        assertArrayEquals(new float[] {0, 6, 0}, g[0].floats());
    }

    @Test
    void argMaxArgMinTies() {
        Tensor t = f(dims(2, 3), 1, 3, 3, 2, 2, 0);
        assertArrayEquals(new long[] {1, 0}, run1(op("ArgMax", "axis", 1L, "keepdims", 0L), t).longs());
        assertArrayEquals(new long[] {2, 1}, run1(op("ArgMax", "axis", 1L, "keepdims", 0L, "select_last_index", 1L), t).longs());
        assertArrayEquals(new long[] {0, 1, 1}, run1(op("ArgMin"), t).longs());
        assertShape(run1(op("ArgMin"), t), 1, 3);
    }

    @Test
    void topKAndCumSum() {
        Tensor x = f(dims(2, 4), 1, 4, 2, 4, 0, -1, 5, 3);
        Tensor[] r = run(op("TopK"), x, longs(2));
        assertClose(new float[] {4, 4, 5, 3}, r[0], 0);
        assertArrayEquals(new long[] {1, 3, 2, 3}, r[1].longs());
        Tensor[] s = run(op("TopK", "largest", 0L, "axis", 0L), x, longs(1));
        assertClose(new float[] {0, -1, 2, 3}, s[0], 0);
        assertEquals(DType.INT64, s[1].dtype());
        // distinct values 0.1 apart, so a finite-difference step never changes which ones are selected
        float[] spaced = new float[15];
        for (int i = 0; i < spaced.length; i++) {
            spaced[i] = (i * 7 % 15) * 0.1f;
        }
        GradCheck.check(op("TopK"), new Tensor[] {f(dims(3, 5), spaced), longs(3)}, 0);
        Tensor c = f(dims(4), 1, 2, 3, 4);
        Tensor ax = Tensor.ofLongs(Shape.scalar(), 0);
        assertClose(new float[] {1, 3, 6, 10}, run1(op("CumSum"), c, ax), 0);
        assertClose(new float[] {0, 1, 3, 6}, run1(op("CumSum", "exclusive", 1L), c, ax), 0);
        assertClose(new float[] {10, 9, 7, 4}, run1(op("CumSum", "reverse", 1L), c, ax), 0);
        assertClose(new float[] {9, 7, 4, 0}, run1(op("CumSum", "reverse", 1L, "exclusive", 1L), c, ax), 0);
        for (long ex = 0; ex < 2; ex++) {
            for (long rev = 0; rev < 2; rev++) {
                GradCheck.check(op("CumSum", "exclusive", ex, "reverse", rev), new Tensor[] {GradCheck.random(rnd, 3, 4),
                    Tensor.ofLongs(Shape.scalar(), 1)}, 0);
            }
        }
    }

    @Test
    void variadicOps() {
        Tensor a = f(dims(3), 1, 5, 3);
        Tensor b = f(dims(1), 2);
        Tensor c = f(dims(3), 0, 9, 4);
        assertClose(new float[] {3, 16, 9}, run1(op("Sum"), a, b, c), 0);
        assertClose(new float[] {1, 16f / 3, 3}, run1(op("Mean"), a, b, c), 1e-6);
        assertClose(new float[] {2, 9, 4}, run1(op("Max"), a, b, c), 0);
        assertClose(new float[] {0, 2, 2}, run1(op("Min"), a, b, c), 0);
        assertClose(new float[] {1, 5, 3}, run1(op("Max"), a), 0);
        for (String t : new String[] {"Sum", "Mean", "Max", "Min"}) {
            GradCheck.check(op(t), new Tensor[] {GradCheck.random(rnd, 2, 3), GradCheck.random(rnd, 3),
                GradCheck.random(rnd, 2, 1)}, 0, 1, 2);
        }
        Tensor pos = GradCheck.random(rnd, 2, 3);
        for (int i = 0; i < pos.size(); i++) {
            pos.floats()[i] = Math.abs(pos.floats()[i]) + 0.5f;
        }
        GradCheck.check(op("Pow"), new Tensor[] {pos, GradCheck.random(rnd, 3)}, 0, 1);
        GradCheck.check(op("PRelu"), new Tensor[] {randomAway(rnd, 0.05, 2, 3, 2), GradCheck.random(rnd, 3, 1)}, 0, 1);
    }

    @Test
    void cumProdAndBitCast() {
        Tensor c = f(dims(4), 1, 2, 3, 4);
        Tensor ax = Tensor.ofLongs(Shape.scalar(), 0);
        assertClose(new float[] {1, 2, 6, 24}, run1(op("CumProd"), c, ax), 0);
        assertClose(new float[] {24, 12, 4, 1}, run1(op("CumProd", "reverse", 1L, "exclusive", 1L), c, ax), 0);
        Tensor bits = run1(op("BitCast", "to", (long) DType.INT32.onnxCode), f(dims(2), 1, -2));
        assertArrayEquals(new int[] {0x3f800000, 0xc0000000}, bits.ints());
    }

    @Test
    void cumProdGradientWithZerosInEveryDirection() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (long exclusive = 0; exclusive <= 1; exclusive++) {
            for (long reverse = 0; reverse <= 1; reverse++) {
                Tensor x = GradCheck.random(rnd, 3, 5, 2);
                x.floats()[2 * 2 + 1] = 0;
                x.floats()[(5 + 1) * 2] = 0;
                x.floats()[(5 + 3) * 2] = 0;
                Tensor ax = Tensor.ofLongs(Shape.scalar(), 1);
                GradCheck.check(op("CumProd", "exclusive", exclusive, "reverse", reverse), new Tensor[] {x, ax},
                        new int[] {0}, false, 1e-3, 1e-3);
            }
        }
        // by hand: y = [a, ab, abc], dL/dy = 1: dL/da = 1 + b + bc, dL/db = a + ac, dL/dc = ab
        Tensor x = f(dims(3), 2, 0, 5);
        Tensor[] out = op("CumProd").forward(null, new Tensor[] {x, Tensor.ofLongs(Shape.scalar(), 0)});
        Tensor[] g = op("CumProd").backward(null, new Tensor[] {x, Tensor.ofLongs(Shape.scalar(), 0)}, out,
                new Tensor[] {f(dims(3), 1, 1, 1)});
        assertClose(new float[] {1, 2 + 10, 0}, g[0], 0);
    }
}
