package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EinsumUniqueDetTest {
    private final SplittableRandom rnd = new SplittableRandom(23);

    @Test
    void einsumMatchesHandLoops() {
        Tensor a = GradCheck.random(rnd, 2, 3, 4);
        Tensor b = GradCheck.random(rnd, 2, 4, 5);
        Tensor y = run1(op("Einsum", "equation", "bij,bjk->bik"), a, b);
        assertShape(y, 2, 3, 5);
        for (int n = 0; n < 2; n++) {
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 5; k++) {
                    double s = 0;
                    for (int j = 0; j < 4; j++) {
                        s += a.floats()[(n * 3 + i) * 4 + j] * b.floats()[(n * 4 + j) * 5 + k];
                    }
                    assertEquals(s, y.floats()[(n * 3 + i) * 5 + k], 1e-5);
                }
            }
        }
        Tensor m = f(dims(2, 2), 1, 2, 3, 4);
        assertClose(new float[] {5}, run1(op("Einsum", "equation", "ii"), m).reshape(Shape.of(1)), 0);
        assertClose(new float[] {1, 4}, run1(op("Einsum", "equation", "ii->i"), m), 0);
        assertClose(new float[] {1, 3, 2, 4}, run1(op("Einsum", "equation", "ij->ji"), m), 0);
        assertClose(new float[] {1, 3, 2, 4}, run1(op("Einsum", "equation", "...ij->...ji"), m), 0);
        assertClose(new float[] {1, 3, 2, 4}, run1(op("Einsum", "equation", "ba"), m), 0); // implicit output: a, b
        GradCheck.check(op("Einsum", "equation", "bij,bjk->bik"), new Tensor[] {GradCheck.random(rnd, 2, 2, 3),
            GradCheck.random(rnd, 2, 3, 2)}, 0, 1);
        GradCheck.check(op("Einsum", "equation", "...i,i->..."), new Tensor[] {GradCheck.random(rnd, 2, 3, 4),
            GradCheck.random(rnd, 4)}, 0, 1);
    }

    @Test
    void uniqueSortedAndByFirstOccurrence() {
        Tensor x = f(dims(6), 2, 1, 1, 3, 4, 3);
        Tensor[] s = run(op("Unique"), x);
        assertClose(new float[] {1, 2, 3, 4}, s[0], 0);
        assertArrayEquals(new long[] {1, 0, 3, 4}, s[1].longs());
        assertArrayEquals(new long[] {1, 0, 0, 2, 3, 2}, s[2].longs());
        assertArrayEquals(new long[] {2, 1, 2, 1}, s[3].longs());
        Tensor[] u = run(op("Unique", "sorted", 0L), x);
        assertClose(new float[] {2, 1, 3, 4}, u[0], 0);
        Tensor rows = f(dims(3, 2), 1, 0, 0, 1, 1, 0);
        Tensor[] r = run(op("Unique", "axis", 0L), rows);
        assertClose(new float[] {0, 1, 1, 0}, r[0], 0);
        assertArrayEquals(new long[] {1, 0, 1}, r[2].longs());
    }

    @Test
    void determinantsAndWindows() {
        Tensor m = f(dims(2, 3, 3), 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 1, 0, 1, 0, 0, 0, 0, 1);
        assertClose(new float[] {24, -1}, run1(op("Det"), m), 1e-6);
        // periodic Hann window of size 4: sin^2(pi n / 4)
        assertClose(new float[] {0, 0.5f, 1, 0.5f}, run1(op("HannWindow"), Tensor.ofLongs(Shape.scalar(), 4)), 1e-6);
        assertClose(new float[] {0, 0.75f, 0.75f, 0}, run1(op("HannWindow", "periodic", 0L), Tensor.ofLongs(Shape.scalar(), 4)), 1e-6);
    }

    @Test
    void detGradientIsTheCofactorMatrix() {
        SplittableRandom r = new SplittableRandom(14);
        GradCheck.check(op("Det"), new Tensor[] {GradCheck.random(r, 2, 3, 3)}, new int[] {0}, false, 1e-3, 1e-3);
        GradCheck.check(op("Det"), new Tensor[] {GradCheck.random(r, 4, 4)}, new int[] {0}, false, 1e-3, 1e-3);
        GradCheck.check(op("Det"), new Tensor[] {GradCheck.random(r, 1, 1)}, new int[] {0}, false, 1e-3, 1e-3);
        // singular by hand: [[1, 2], [2, 4]]: d det = [[d, -c], [-b, a]] = [[4, -2], [-2, 1]]
        Tensor s = f(dims(2, 2), 1, 2, 2, 4);
        Tensor[] out = op("Det").forward(null, new Tensor[] {s});
        Tensor[] g = op("Det").backward(null, new Tensor[] {s}, out, new Tensor[] {f(dims(), 1)});
        assertClose(new float[] {4, -2, -2, 1}, g[0], 0);
    }
}
