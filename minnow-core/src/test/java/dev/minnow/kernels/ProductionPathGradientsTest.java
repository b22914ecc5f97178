package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpRegistry;
import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of op gradients on shapes that take the production backward paths
 * (the kernels training actually runs), not only the small shapes the op tests use.
 */
class ProductionPathGradientsTest {
    private static Op op(String type, Object... attrs) {
        return OpRegistry.global().create(type, Attributes.of(attrs));
    }

    @Test
    void convOnShiftedRows() {
        // stride 1, one group, >= 4 input channels, rows at most 5/4 of the output rows and a batch
        // that covers the threads: forward, input and weight gradients all run on ShiftedConv
        int threads = Parallel.threads();
        Parallel.setThreads(2);
        try {
            SplittableRandom r = new SplittableRandom(41);
            int[][] shapes = { // {batch, C, M, H, W, kH, kW, pad}
                {2, 5, 3, 9, 8, 3, 3, 1}, {3, 4, 2, 6, 10, 3, 2, 1}};
            for (int[] s : shapes) {
                ConvGeometry g = ConvGeometry.of(s[0], s[1], s[3], s[4], s[2], s[5], s[6], 1, 1, s[7], s[7], s[7], s[7],
                        1, 1, 1);
                assertTrue(Conv2d.shiftedApplies(g) == VectorSupport.AVAILABLE, "shifted rows for " + g);
                assertTrue(Conv2d.shiftedInputApplies(g, ConvOptions.DEFAULT) == VectorSupport.AVAILABLE, "shifted input gradient for " + g);
                Op conv = op("Conv", "pads", new int[] {s[7], s[7], s[7], s[7]});
                GradCheck.check(conv, new Tensor[] {GradCheck.random(r, s[0], s[1], s[3], s[4]),
                        GradCheck.random(r, s[2], s[1], s[5], s[6]), GradCheck.random(r, s[2])}, 0, 1, 2);
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void l2PoolWithStridesAndPads() {
        // p = 2 takes the square / square-root branch of Pool.lpForward and lpBackward
        SplittableRandom r = new SplittableRandom(42);
        GradCheck.check(op("LpPool", "kernel_shape", new int[] {3, 3}, "strides", new int[] {2, 2},
                "pads", new int[] {1, 1, 1, 1}, "p", 2), new Tensor[] {GradCheck.random(r, 2, 3, 7, 6)}, 0);
        GradCheck.check(op("LpPool", "kernel_shape", new int[] {2, 3}, "p", 2),
                new Tensor[] {GradCheck.random(r, 1, 2, 5, 7)}, 0);
    }

    @Test
    void conv1d() {
        // rank-3 input: the 1-D convolution runs as a 1 x W 2-D geometry
        SplittableRandom r = new SplittableRandom(43);
        GradCheck.check(op("Conv", "strides", new int[] {2}, "pads", new int[] {2, 1}, "dilations", new int[] {2}),
                new Tensor[] {GradCheck.random(r, 2, 3, 11), GradCheck.random(r, 4, 3, 3), GradCheck.random(r, 4)}, 0, 1, 2);
        GradCheck.check(op("Conv", "group", 2, "pads", new int[] {1, 1}),
                new Tensor[] {GradCheck.random(r, 3, 4, 9), GradCheck.random(r, 6, 2, 3), GradCheck.random(r, 6)}, 0, 1, 2);
    }
}
