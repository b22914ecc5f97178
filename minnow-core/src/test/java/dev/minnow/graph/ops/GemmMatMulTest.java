package dev.minnow.graph.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GemmMatMulTest {
    static Op op(String type, Object... kv) {
        return OpRegistry.global().create(type, Attributes.of(kv));
    }

    static Tensor run(Op op, Tensor... in) {
        return op.forward(null, in)[0];
    }

    @Test
    void gemmHandCaseWithTransposesAndBroadcastBias() {
        // A^T with A = [[1,3],[2,4]] (so A' = [[1,2],[3,4]]), B = I, C = [10, 20] per column
        Tensor a = Tensor.of(Shape.of(2, 2), 1, 3, 2, 4);
        Tensor b = Tensor.of(Shape.of(2, 2), 1, 0, 0, 1);
        Tensor c = Tensor.of(Shape.of(2), 10, 20);
        Tensor y = run(op("Gemm", "transA", 1, "alpha", 2f, "beta", 0.5f), a, b, c);
        assertArrayEquals(new float[] {2 + 5, 4 + 10, 6 + 5, 8 + 10}, y.floats());
        Tensor col = Tensor.of(Shape.of(2, 1), 1, 2);
        assertArrayEquals(new float[] {2, 3, 5, 6}, run(op("Gemm", "transB", 1), Tensor.of(Shape.of(2, 2), 1, 2, 3, 4), b, col).floats());
        assertArrayEquals(new float[] {8, 9, 10, 11}, run(op("Gemm"), Tensor.of(Shape.of(2, 2), 1, 2, 3, 4), b, Tensor.scalar(7))
                .floats(), 0f, "scalar C");
    }

    @Test
    void gemmGradientsForAllTransposes() {
        SplittableRandom r = new SplittableRandom(2);
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                Tensor a = ta == 1 ? GradCheck.random(r, 4, 3) : GradCheck.random(r, 3, 4);
                Tensor b = tb == 1 ? GradCheck.random(r, 5, 4) : GradCheck.random(r, 4, 5);
                GradCheck.check(op("Gemm", "transA", ta, "transB", tb, "alpha", 0.7f, "beta", 1.5f),
                        new Tensor[] {a, b, GradCheck.random(r, 3, 1)}, 0, 1, 2);
            }
        }
    }

    /** Naive numpy-style matmul for 2-D operands. */
    private static float[] mm(float[] a, float[] b, int m, int k, int n) {
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int q = 0; q < k; q++)
                    y[i * n + j] += a[i * k + q] * b[q * n + j];
        return y;
    }

    @Test
    void matMulBatchedBroadcastAndVectors() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor a = GradCheck.random(r, 2, 1, 3, 4);
        Tensor b = GradCheck.random(r, 3, 4, 5);
        Tensor y = run(op("MatMul"), a, b);
        assertEquals(Shape.of(2, 3, 3, 5), y.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                float[] ai = Arrays.copyOfRange(a.floats(), i * 12, i * 12 + 12);
                float[] bj = Arrays.copyOfRange(b.floats(), j * 20, j * 20 + 20);
                float[] want = mm(ai, bj, 3, 4, 5);
                assertArrayEquals(want, Arrays.copyOfRange(y.floats(), (i * 3 + j) * 15, (i * 3 + j + 1) * 15), 1e-5f);
            }
        }
        Tensor v = Tensor.of(Shape.of(2), 1, 2);
        Tensor m = Tensor.of(Shape.of(2, 2), 1, 2, 3, 4);
        assertEquals(Shape.scalar(), run(op("MatMul"), v, v).shape());
        assertEquals(5f, run(op("MatMul"), v, v).floats()[0]);
        assertArrayEquals(new float[] {7, 10}, run(op("MatMul"), v, m).floats());
        assertArrayEquals(new float[] {5, 11}, run(op("MatMul"), m, v).floats());
        assertEquals(Shape.of(-1, 7, 5), op("MatMul").inferTypes(List.of(TensorType.f32(-1, 7, 4), TensorType.f32(4, 5)),
                Arrays.asList(null, null)).get(0).shape());
        assertThrows(ShapeException.class, () -> op("MatMul").inferTypes(List.of(TensorType.f32(2, 3), TensorType.f32(4, 5)),
                Arrays.asList(null, null)));
    }

    @Test
    void matMulGradients() {
        SplittableRandom r = new SplittableRandom(6);
        GradCheck.check(op("MatMul"), new Tensor[] {GradCheck.random(r, 2, 1, 3, 4), GradCheck.random(r, 3, 4, 2)}, 0, 1);
        GradCheck.check(op("MatMul"), new Tensor[] {GradCheck.random(r, 2, 3, 4), GradCheck.random(r, 4, 2)}, 0, 1);
        GradCheck.check(op("MatMul"), new Tensor[] {GradCheck.random(r, 4), GradCheck.random(r, 2, 4, 3)}, 0, 1);
        GradCheck.check(op("MatMul"), new Tensor[] {GradCheck.random(r, 2, 3, 4), GradCheck.random(r, 4)}, 0, 1);
    }

    @Test
    void macs() {
        assertEquals(2L * 3 * 7 * 5 * 4, op("MatMul").macs(List.of(TensorType.f32(2, 3, 7, 4), TensorType.f32(4, 5)),
                List.of(TensorType.f32(2, 3, 7, 5))));
        assertEquals(3L * 5 * 4, op("Gemm", "transB", 1).macs(List.of(TensorType.f32(3, 4), TensorType.f32(5, 4)),
                List.of(TensorType.f32(3, 5))));
    }
}
