package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.errors.ShapeException;

import dev.minnow.graph.TensorType;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IndexingOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(5);

    private Tensor iota(int... dims) {
        Tensor t = Tensor.zeros(Shape.of(dims));
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = i;
        }
        return t;
    }

    @Test
    void transposeByHand() {
        Tensor x = iota(2, 3);
        assertClose(new float[] {0, 3, 1, 4, 2, 5}, run1(op("Transpose"), x), 0);
        Tensor y = run1(op("Transpose", "perm", new long[] {1, 2, 0}), iota(2, 3, 4));
        assertShape(y, 3, 4, 2);
        // y[i][j][k] = x[k][i][j] = 12k + 4i + j
        assertEquals(12 * 1 + 4 * 2 + 3, y.floats()[(2 * 4 + 3) * 2 + 1]);
        GradCheck.check(op("Transpose", "perm", new long[] {2, 0, 1}), new Tensor[] {GradCheck.random(rnd, 2, 3, 4)}, 0);
    }

    @Test
    void sliceWithNegativeStepsAndClamping() {
        Tensor x = iota(10);
        assertClose(new float[] {2, 3, 4}, run1(op("Slice"), x, longs(2), longs(5)), 0);
        assertClose(new float[] {9, 7, 5}, run1(op("Slice"), x, longs(-1), longs(4), longs(0), longs(-2)), 0);
        assertClose(new float[] {7, 8, 9}, run1(op("Slice"), x, longs(-3), longs(Long.MAX_VALUE)), 0);
        assertClose(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
                run1(op("Slice"), x, longs(Long.MAX_VALUE), longs(Long.MIN_VALUE), longs(0), longs(-1)), 0);
        Tensor m = iota(3, 4);
        assertClose(new float[] {5, 6, 7}, run1(op("Slice", "_opset", 9L, "starts", new long[] {1, 1}, "ends",
                new long[] {2, 1000}, "axes", new long[] {0, 1}), m), 0);
        GradCheck.check(op("Slice"), new Tensor[] {GradCheck.random(rnd, 4, 5), longs(1, -1), longs(4, 0),
            longs(0, 1), longs(2, -2)}, 0);
    }

    @Test
    void padModes() {
        Tensor x = f(dims(1, 3), 1, 2, 3);
        Tensor pads = longs(0, 2, 0, 1);
        assertClose(new float[] {0, 0, 1, 2, 3, 0}, run1(op("Pad"), x, pads), 0);
        assertClose(new float[] {9, 9, 1, 2, 3, 9}, run1(op("Pad"), x, pads, Tensor.scalar(9)), 0);
        assertClose(new float[] {3, 2, 1, 2, 3, 2}, run1(op("Pad", "mode", "reflect"), x, pads), 0);
        assertClose(new float[] {1, 1, 1, 2, 3, 3}, run1(op("Pad", "mode", "edge"), x, pads), 0);
        assertClose(new float[] {2, 3, 1, 2, 3, 1}, run1(op("Pad", "mode", "wrap"), x, pads), 0);
        assertClose(new float[] {2}, run1(op("Pad"), x, longs(0, -1, 0, -1)), 0);
        assertClose(new float[] {0, 1, 2, 3}, run1(op("Pad", "_opset", 2L, "pads", new long[] {0, 1, 0, 0}), x), 0);
        GradCheck.check(op("Pad", "mode", "reflect"), new Tensor[] {GradCheck.random(rnd, 2, 4), longs(1, 2, 0, 3)}, 0);
        GradCheck.check(op("Pad", "mode", "edge"), new Tensor[] {GradCheck.random(rnd, 2, 4), longs(1, 2, 0, 3)}, 0);
    }

    /**
     * Fuzz long run, case 99422: edge pads of 956,301,312 and 536,870,914 on a 1x3x4x5 int32
     * tensor. Pad built a table per padded axis and a map with one int per output value before
     * any size check (GraphRunner's output check overflowed), and ran out of heap.
     */
    @Test
    void padRefusesOutputsWhoseIndexMapCannotBeAllocated() {
        Tensor x = Tensor.zeros(DType.INT32, Shape.of(1, 3, 4, 5));
        Tensor pads = longs(0, 956_301_312, 536_870_913, 1, 0, 0, 1, 1);
        ShapeException e = assertThrows(ShapeException.class, () -> run(op("Pad", "mode", "edge"), x, pads));
        assertTrue(e.getMessage().startsWith("Pad: the index map") && e.getMessage().contains("956301315"), e.getMessage());
        // an empty axis beside a huge one: an empty output, without building the huge axis's table
        Tensor empty = Tensor.zeros(Shape.of(0, 2));
        assertShape(run1(op("Pad"), empty, longs(0, 0, 0, 2_000_000_000)), 0, 2_000_000_002);
        // edge, wrap and reflect have nothing to repeat on an empty axis (wrap divided by zero)
        for (String mode : List.of("edge", "wrap", "reflect")) {
            ShapeException m = assertThrows(ShapeException.class, () -> run(op("Pad", "mode", mode), empty, longs(1, 0, 0, 0)));
            assertTrue(m.getMessage().contains("empty"), m.getMessage());
        }
        // Tile shares the check: 65,536 x 65,536 fits an int per axis, not in one map
        ShapeException t = assertThrows(ShapeException.class, () -> run(op("Tile"), Tensor.zeros(Shape.of(1, 1)),
                longs(65_536, 65_536)));
        assertTrue(t.getMessage().startsWith("Tile: the index map"), t.getMessage());
    }

    @Test
    void gatherAndGatherElements() {
        Tensor data = iota(3, 2);
        Tensor y = run1(op("Gather"), data, longs(2, 0, -1));
        assertClose(new float[] {4, 5, 0, 1, 4, 5}, y, 0);
        Tensor idx = Tensor.ofLongs(Shape.of(2, 2), 1, 0, 0, 1);
        Tensor z = run1(op("Gather", "axis", 1L), data, idx);
        assertShape(z, 3, 2, 2);
        assertClose(new float[] {1, 0, 0, 1, 3, 2, 2, 3, 5, 4, 4, 5}, z, 0);
        Tensor ge = run1(op("GatherElements", "axis", 1L), f(dims(2, 2), 1, 2, 3, 4), Tensor.ofLongs(Shape.of(2, 2), 0, 0, 1, 0));
        assertClose(new float[] {1, 1, 4, 3}, ge, 0);
        GradCheck.check(op("Gather"), new Tensor[] {GradCheck.random(rnd, 4, 3), longs(1, 1, 3)}, 0);
        GradCheck.check(op("GatherElements"), new Tensor[] {GradCheck.random(rnd, 3, 3),
            Tensor.ofLongs(Shape.of(2, 3), 0, 2, 2, 1, 1, -1)}, 0);
    }

    @Test
    void expandTileAndDepthSpace() {
        Tensor e = run1(op("Expand"), f(dims(3, 1), 1, 2, 3), longs(2, 1, 2));
        assertShape(e, 2, 3, 2);
        assertClose(new float[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, e, 0);
        Tensor t = run1(op("Tile"), f(dims(2, 2), 1, 2, 3, 4), longs(1, 2));
        assertClose(new float[] {1, 2, 1, 2, 3, 4, 3, 4}, t, 0);
        GradCheck.check(op("Expand"), new Tensor[] {GradCheck.random(rnd, 3, 1), longs(2, 3, 4)}, 0);
        GradCheck.check(op("Tile"), new Tensor[] {GradCheck.random(rnd, 2, 3), longs(2, 2)}, 0);
        // SpaceToDepth then DepthToSpace (DCR) is the identity
        Tensor x = GradCheck.random(rnd, 1, 2, 4, 6);
        Tensor s = run1(op("SpaceToDepth", "blocksize", 2L), x);
        assertShape(s, 1, 8, 2, 3);
        assertArrayEquals(x.floats(), run1(op("DepthToSpace", "blocksize", 2L), s).floats());
        // CRD by hand: channels (c, b1, b2) = 4 channels of 1x1 become one 2x2 channel
        Tensor crd = run1(op("DepthToSpace", "blocksize", 2L, "mode", "CRD"), f(dims(1, 4, 1, 1), 1, 2, 3, 4));
        assertClose(new float[] {1, 2, 3, 4}, crd, 0);
        GradCheck.check(op("DepthToSpace", "blocksize", 2L, "mode", "CRD"), new Tensor[] {GradCheck.random(rnd, 1, 8, 2, 1)}, 0);
    }

    @Test
    void squeezeUnsqueezeAcrossOpsets() {
        Tensor x = Tensor.zeros(Shape.of(1, 3, 1, 2));
        assertShape(run1(op("Squeeze"), x), 3, 2);
        assertShape(run1(op("Squeeze"), x, longs(-2)), 1, 3, 2);
        assertShape(run1(op("Squeeze", "_opset", 11L, "axes", new long[] {0}), x), 3, 1, 2);
        assertShape(run1(op("Unsqueeze"), Tensor.zeros(Shape.of(3, 4)), longs(0, 3)), 1, 3, 4, 1);
        assertShape(run1(op("Unsqueeze", "_opset", 12L, "axes", new long[] {-1}), Tensor.zeros(Shape.of(3))), 3, 1);
        List<TensorType> t = op("Unsqueeze").inferTypes(List.of(TensorType.f32(-1, 4), new TensorType(DType.INT64, Shape.of(1))),
                Arrays.asList(null, longs(1)));
        assertEquals(Shape.of(-1, 1, 4), t.get(0).shape());
    }

    @Test
    void splitConcatRoundTripAndGradient() {
        Tensor x = iota(2, 5);
        Tensor[] parts = run(op("Split", "axis", 1L), x, longs(2, 3));
        assertClose(new float[] {0, 1, 5, 6}, parts[0], 0);
        assertClose(new float[] {2, 3, 4, 7, 8, 9}, parts[1], 0);
        Tensor[] even = run(op("Split", "_num_outputs", 2L), iota(4));
        assertClose(new float[] {2, 3}, even[1], 0);
        Tensor[] uneven = run(op("Split", "num_outputs", 3L), iota(7));
        assertEquals(3, uneven[0].size());
        assertEquals(1, uneven[2].size());
        GradCheck.check(op("Split", "axis", 1L), new Tensor[] {GradCheck.random(rnd, 2, 5), longs(1, 4)}, 0);
    }

    /** Fuzz long run, case 16883 and 3 more: split sizes past the int range overflowed inside sizes. */
    @Test
    void splitRefusesImpossibleSizes() {
        Tensor x = iota(4);
        ShapeException huge = assertThrows(ShapeException.class, () -> run(op("Split"), x, longs(1L << 40, 4 - (1L << 40))));
        assertTrue(huge.getMessage().startsWith("Split: ") && huge.getMessage().contains("1099511627776"), huge.getMessage());
        // negative sizes that still add up to the axis once made an output with a -1 dim
        assertThrows(ShapeException.class, () -> run(op("Split"), x, longs(-1, 5)));
        assertThrows(ShapeException.class, () -> op("Split").inferTypes(
                List.of(TensorType.f32(4), new TensorType(DType.INT64, Shape.of(2))), Arrays.asList(null, longs(-1, 5))));
        // num_outputs past the int range was cast to 0 (a division by zero) or a negative array size
        assertThrows(ShapeException.class, () -> run(op("Split", "num_outputs", 1L << 40), x));
        assertThrows(ShapeException.class, () -> run(op("Split", "num_outputs", 1L << 31), x));
        assertThrows(ShapeException.class, () -> run(op("Split", "num_outputs", 5L), x));
        assertEquals(4, run(op("Split", "num_outputs", 4L), x).length);
    }

    @Test
    void shapeSizeConstantOfShapeRangeCast() {
        Tensor x = Tensor.zeros(Shape.of(2, 3, 4));
        assertArrayEquals(new long[] {2, 3, 4}, run1(op("Shape"), x).longs());
        assertArrayEquals(new long[] {3}, run1(op("Shape", "start", 1L, "end", -1L), x).longs());
        assertEquals(24, run1(op("Size"), x).getLong(0));
        Tensor c = run1(op("ConstantOfShape", "value", Tensor.ofInts(Shape.of(1), 7)), longs(2, 2));
        assertArrayEquals(new int[] {7, 7, 7, 7}, c.ints());
        assertClose(new float[] {0, 0}, run1(op("ConstantOfShape"), longs(2)), 0);
        assertArrayEquals(new long[] {10, 7, 4}, run1(op("Range"), Tensor.ofLongs(Shape.scalar(), 10),
                Tensor.ofLongs(Shape.scalar(), 1), Tensor.ofLongs(Shape.scalar(), -3)).longs());
        assertClose(new float[] {1, 1.5f, 2, 2.5f}, run1(op("Range"), Tensor.scalar(1), Tensor.scalar(3), Tensor.scalar(0.5f)), 0);
        Tensor cast = run1(op("Cast", "to", (long) DType.INT32.onnxCode), f(dims(3), -1.7f, 0.2f, 2.9f));
        assertArrayEquals(new int[] {-1, 0, 2}, cast.ints());
        GradCheck.check(op("Cast", "to", 1L), new Tensor[] {GradCheck.random(rnd, 4)}, 0);
    }

    @Test
    void whereSelectsAndRoutesGradients() {
        Tensor cond = Tensor.wrap(DType.BOOL, Shape.of(2, 1), new byte[] {1, 0});
        Tensor y = run1(op("Where"), cond, f(dims(2), 1, 2), f(dims(2, 2), 5, 6, 7, 8));
        assertClose(new float[] {1, 2, 7, 8}, y, 0);
        GradCheck.check(op("Where"), new Tensor[] {cond, GradCheck.random(rnd, 3), GradCheck.random(rnd, 2, 3)}, 1, 2);
    }
}
