package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MoreIndexingOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(17);

    @Test
    void triluAndEyeLike() {
        Tensor x = f(dims(3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertClose(new float[] {1, 2, 3, 0, 5, 6, 0, 0, 9}, run1(op("Trilu"), x), 0);
        assertClose(new float[] {0, 2, 3, 0, 0, 6, 0, 0, 0}, run1(op("Trilu"), x, Tensor.ofLongs(Shape.scalar(), 1)), 0);
        assertClose(new float[] {1, 0, 0, 4, 5, 0, 7, 8, 9}, run1(op("Trilu", "upper", 0L), x), 0);
        GradCheck.check(op("Trilu"), new Tensor[] {GradCheck.random(rnd, 2, 3, 4)}, 0);
        Tensor eye = run1(op("EyeLike", "k", 1L, "dtype", (long) DType.INT32.onnxCode), Tensor.zeros(Shape.of(2, 3)));
        assertArrayEquals(new int[] {0, 1, 0, 0, 0, 1}, eye.ints());
    }

    @Test
    void scatterElementsAndNd() {
        Tensor data = Tensor.zeros(Shape.of(3, 3));
        Tensor idx = Tensor.ofLongs(Shape.of(2, 3), 1, 0, 2, 0, 2, 1);
        Tensor upd = f(dims(2, 3), 1, 1.1f, 1.2f, 2, 2.1f, 2.2f);
        // ONNX operator documentation example for ScatterElements (axis 0)
        assertClose(new float[] {2, 1.1f, 0, 1, 0, 2.2f, 0, 2.1f, 1.2f}, run1(op("ScatterElements"), data, idx, upd), 1e-7);
        Tensor d1 = f(dims(1, 5), 1, 2, 3, 4, 5);
        Tensor i1 = Tensor.ofLongs(Shape.of(1, 2), 1, 1);
        Tensor u1 = f(dims(1, 2), 1.1f, 2.1f);
        assertClose(new float[] {1, 5.2f, 3, 4, 5}, run1(op("ScatterElements", "axis", 1L, "reduction", "add"), d1, i1, u1), 1e-6);
        Tensor nd = run1(op("ScatterND"), f(dims(4, 2), 1, 2, 3, 4, 5, 6, 7, 8), Tensor.ofLongs(Shape.of(2, 1), 3, 0),
                f(dims(2, 2), 10, 11, 12, 13));
        assertClose(new float[] {12, 13, 3, 4, 5, 6, 10, 11}, nd, 0);
        GradCheck.check(op("ScatterElements", "axis", 1L), new Tensor[] {GradCheck.random(rnd, 3, 4),
            Tensor.ofLongs(Shape.of(3, 2), 0, 3, 1, 2, 3, 0), GradCheck.random(rnd, 3, 2)}, 0, 2);
        GradCheck.check(op("ScatterND", "reduction", "add"), new Tensor[] {GradCheck.random(rnd, 4, 2),
            Tensor.ofLongs(Shape.of(2, 1), 1, 1), GradCheck.random(rnd, 2, 2)}, 0, 2);
    }

    @Test
    void gatherNdCompressNonZero() {
        Tensor data = f(dims(2, 2), 0, 1, 2, 3);
        assertClose(new float[] {0, 3}, run1(op("GatherND"), data, Tensor.ofLongs(Shape.of(2, 2), 0, 0, 1, 1)), 0);
        assertClose(new float[] {2, 3, 0, 1}, run1(op("GatherND"), data, Tensor.ofLongs(Shape.of(2, 1), 1, 0)), 0);
        Tensor batched = run1(op("GatherND", "batch_dims", 1L), f(dims(2, 2, 2), 0, 1, 2, 3, 4, 5, 6, 7),
                Tensor.ofLongs(Shape.of(2, 1), 1, 0));
        assertClose(new float[] {2, 3, 4, 5}, batched, 0);
        GradCheck.check(op("GatherND"), new Tensor[] {GradCheck.random(rnd, 3, 2), Tensor.ofLongs(Shape.of(2, 1), 2, 2)}, 0);
        Tensor cond = Tensor.wrap(DType.BOOL, Shape.of(3), new byte[] {0, 1, 1});
        Tensor m = f(dims(3, 2), 1, 2, 3, 4, 5, 6);
        assertClose(new float[] {3, 4, 5, 6}, run(op("Compress", "axis", 0L), m, cond)[0], 0);
        assertClose(new float[] {2, 3}, run(op("Compress"), m, cond)[0], 0);
        GradCheck.check(op("Compress", "axis", 1L), new Tensor[] {GradCheck.random(rnd, 2, 3), cond}, 0);
        Tensor nz = run(op("NonZero"), f(dims(2, 2), 1, 0, 1, 1))[0];
        assertArrayEquals(new long[] {0, 1, 1, 0, 0, 1}, nz.longs());
    }

    @Test
    void centerCropPadAndReverseSequence() {
        Tensor x = f(dims(4), 1, 2, 3, 4);
        assertClose(new float[] {2, 3}, run1(op("CenterCropPad"), x, longs(2)), 0);
        assertClose(new float[] {0, 1, 2, 3, 4, 0, 0}, run1(op("CenterCropPad"), x, longs(7)), 0);
        GradCheck.check(op("CenterCropPad", "axes", new long[] {1}), new Tensor[] {GradCheck.random(rnd, 2, 5), longs(3)}, 0);
        // time along axis 0, batch along axis 1: batch 0 reverses 3 steps, batch 1 only 1
        Tensor seq = f(dims(3, 2), 1, 10, 2, 20, 3, 30);
        assertClose(new float[] {3, 10, 2, 20, 1, 30}, run1(op("ReverseSequence"), seq, longs(3, 1)), 0);
        GradCheck.check(op("ReverseSequence", "batch_axis", 0L, "time_axis", 1L),
                new Tensor[] {GradCheck.random(rnd, 2, 4), longs(2, 4)}, 0);
    }

    @Test
    void oneHotBitwiseAndPredicates() {
        Tensor oh = run1(op("OneHot"), longs(1, -1, 5), Tensor.scalar(3), f(dims(2), 0, 1));
        assertClose(new float[] {0, 1, 0, 0, 0, 1, 0, 0, 0}, oh, 0);
        Tensor a = Tensor.ofInts(Shape.of(2), 12, 5);
        Tensor b = Tensor.ofInts(Shape.of(2), 10, 3);
        assertArrayEquals(new int[] {8, 1}, run1(op("BitwiseAnd"), a, b).ints());
        assertArrayEquals(new int[] {14, 7}, run1(op("BitwiseOr"), a, b).ints());
        assertArrayEquals(new int[] {6, 6}, run1(op("BitwiseXor"), a, b).ints());
        assertArrayEquals(new int[] {-13, -6}, run1(op("BitwiseNot"), a).ints());
        Tensor u = Tensor.wrap(DType.UINT8, Shape.of(2), new byte[] {16, 4});
        Tensor s = Tensor.wrap(DType.UINT8, Shape.of(2), new byte[] {1, 2});
        assertArrayEquals(new byte[] {32, 16}, run1(op("BitShift", "direction", "LEFT"), u, s).bytes());
        assertArrayEquals(new byte[] {8, 1}, run1(op("BitShift", "direction", "RIGHT"), u, s).bytes());
        Tensor v = f(dims(4), Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1);
        assertArrayEquals(new byte[] {1, 0, 0, 0}, run1(op("IsNaN"), v).bytes());
        assertArrayEquals(new byte[] {0, 1, 1, 0}, run1(op("IsInf"), v).bytes());
        assertArrayEquals(new byte[] {0, 0, 1, 0}, run1(op("IsInf", "detect_positive", 0L), v).bytes());
        assertClose(new float[] {-1.5f, 0, 0, 1.5f}, run1(op("Shrink", "lambd", 1f, "bias", 0.5f), f(dims(4), -2, -0.5f, 0.9f, 2)), 0);
        GradCheck.check(op("Shrink"), new Tensor[] {randomAway(rnd, 0.6, 3, 3)}, 0);
    }

    @Test
    void tensorScatterWritesIntoTheCache() {
        // cache [2 batches, 3 steps, 1 feature]; one new step per batch at positions 2 and 0
        Tensor cache = f(dims(2, 3, 1), 1, 2, 3, 4, 5, 6);
        Tensor update = f(dims(2, 1, 1), 10, 20);
        assertClose(new float[] {1, 2, 10, 20, 5, 6}, run1(op("TensorScatter"), cache, update, longs(2, 0)), 0);
        // circular: two steps from position 2 wrap to 0
        Tensor two = f(dims(2, 2, 1), 10, 11, 20, 21);
        assertClose(new float[] {11, 2, 10, 20, 21, 6}, run1(op("TensorScatter", "mode", "circular"), cache, two, longs(2, 0)), 0);
        GradCheck.check(op("TensorScatter"), new Tensor[] {GradCheck.random(rnd, 2, 4, 3), GradCheck.random(rnd, 2, 2, 3),
            longs(1, 2)}, 0, 1);
    }

    @Test
    void tfIdfCountsUnigramsAndSkippedBigrams() {
        // pool: unigrams 2 and 3, bigram (2, 3); columns 0, 1, 2
        Object[] attrs = {"ngram_counts", new long[] {0, 2}, "pool_int64s", new long[] {2, 3, 2, 3},
            "ngram_indexes", new long[] {0, 1, 2}, "min_gram_length", 1L, "max_gram_length", 2L, "mode", "TF"};
        Tensor x = Tensor.ofLongs(Shape.of(5), 2, 3, 3, 2, 3);
        assertClose(new float[] {2, 3, 2}, run1(op("TfIdfVectorizer", attrs), x), 0);
        // one skipped item also pairs positions (0, 2): one more (2, 3)
        Object[] skip = java.util.Arrays.copyOf(attrs, attrs.length + 2);
        skip[attrs.length] = "max_skip_count";
        skip[attrs.length + 1] = 1L;
        assertClose(new float[] {2, 3, 3}, run1(op("TfIdfVectorizer", skip), x), 0);
    }
}
