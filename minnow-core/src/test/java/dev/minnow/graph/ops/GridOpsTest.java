package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.minnow.graph.Op;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GridOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(31);

    @Test
    void identityAffineGridSamplesTheInputBack() {
        Tensor theta = f(dims(1, 2, 3), 1, 0, 0, 0, 1, 0);
        Tensor x = GradCheck.random(rnd, 1, 2, 3, 4);
        for (long align = 0; align < 2; align++) {
            Tensor grid = run1(op("AffineGrid", "align_corners", align), theta, longs(1, 2, 3, 4));
            assertShape(grid, 1, 3, 4, 2);
            for (String mode : new String[] {"linear", "nearest", "cubic"}) {
                Tensor y = run1(op("GridSample", "align_corners", align, "mode", mode), x, grid);
                assertClose(x.floats(), y, 1e-5);
            }
        }
    }

    @Test
    void affineGridByHand() {
        // align_corners=1 on a 2x2 image: corners at -1 and 1; theta swaps x and y and shifts x by 0.5
        Tensor theta = f(dims(1, 2, 3), 0, 1, 0.5f, 1, 0, 0);
        Tensor grid = run1(op("AffineGrid", "align_corners", 1L), theta, longs(1, 1, 2, 2));
        // points (x, y): (-1,-1) (1,-1) (-1,1) (1,1) -> (y + 0.5, x)
        assertArrayEquals(new float[] {-0.5f, -1, -0.5f, 1, 1.5f, -1, 1.5f, 1}, grid.floats());
    }

    @Test
    void paddingModesOutsideTheImage() {
        Tensor x = f(dims(1, 1, 1, 2), 1, 2);
        // normalized x = 3 is pixel coordinate 2, one past the last pixel; y at the single row
        Tensor grid = f(dims(1, 1, 1, 2), 3, 0);
        assertClose(new float[] {0}, run1(op("GridSample", "align_corners", 1L), x, grid), 0);
        assertClose(new float[] {2}, run1(op("GridSample", "align_corners", 1L, "padding_mode", "border"), x, grid), 0);
        // reflected about pixel 1 back to pixel 0
        assertClose(new float[] {1}, run1(op("GridSample", "align_corners", 1L, "padding_mode", "reflection"), x, grid), 0);
    }

    @Test
    void gradients() {
        Tensor grid = GradCheck.random(rnd, 2, 3, 2, 2);
        for (String mode : new String[] {"linear", "cubic"}) {
            for (String pad : new String[] {"zeros", "border", "reflection"}) {
                GradCheck.check(op("GridSample", "mode", mode, "padding_mode", pad), new Tensor[] {GradCheck.random(rnd, 2, 2, 3, 4), grid}, 0);
            }
        }
        GradCheck.check(op("AffineGrid"), new Tensor[] {GradCheck.random(rnd, 2, 2, 3), longs(2, 1, 3, 4)}, 0);
    }

    @Test
    void gridGetsTheTapsDerivative() {
        SplittableRandom r = new SplittableRandom(12);
        for (String mode : new String[] {"linear", "cubic", "nearest"}) {
            for (String pad : new String[] {"zeros", "border", "reflection"}) {
                for (long align = 0; align <= 1; align++) {
                    // coordinates up to 1.4 reach outside the image, where the padding modes differ
                    Tensor grid = GradCheck.random(r, 2, 3, 2, 2);
                    for (int i = 0; i < grid.size(); i++) {
                        grid.floats()[i] *= 1.4f;
                    }
                    GradCheck.check(op("GridSample", "mode", mode, "padding_mode", pad, "align_corners", align),
                            new Tensor[] {GradCheck.random(r, 2, 2, 3, 5), grid}, new int[] {0, 1}, false, 1e-4, 1e-2);
                }
            }
        }
        Tensor grid3 = GradCheck.random(r, 1, 2, 1, 2, 3);
        GradCheck.check(op("GridSample", "mode", "linear"), new Tensor[] {GradCheck.random(r, 1, 2, 3, 2, 3), grid3},
                new int[] {0, 1}, false, 1e-4, 1e-2);
        // by hand, 1-D as [1, 1, 1, 2] with align_corners: x = [a, b], grid point g samples
        // a + (g + 1) / 2 * (b - a), so dL/dg = (b - a) / 2 for dL/dy = 1
        Tensor x = f(dims(1, 1, 1, 2), 3, 7);
        Tensor g = f(dims(1, 1, 1, 2), 0.2f, 0);
        Op op = op("GridSample", "align_corners", 1L);
        Tensor[] out = op.forward(null, new Tensor[] {x, g});
        Tensor[] grads = op.backward(null, new Tensor[] {x, g}, out, new Tensor[] {f(dims(1, 1, 1, 1), 1)});
        assertClose(new float[] {2, 0}, grads[1], 1e-6);
    }
}
