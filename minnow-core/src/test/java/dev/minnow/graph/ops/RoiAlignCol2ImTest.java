package dev.minnow.graph.ops;

import static dev.minnow.graph.ops.OpTesting.*;

import dev.minnow.tensor.Tensor;
import dev.minnow.testing.GradCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoiAlignCol2ImTest {
    @Test
    void roiAlignOneBilinearSample() {
        Tensor x = f(dims(1, 1, 2, 2), 1, 2, 3, 4);
        Tensor batch = longs(0);
        // one bin, one sample at the centre (0.5, 0.5) of the four pixels
        Tensor y = run1(op("RoiAlign", "sampling_ratio", 1L, "coordinate_transformation_mode", "output_half_pixel"),
                x, f(dims(1, 4), 0, 0, 1, 1), batch);
        assertClose(new float[] {2.5f}, y, 1e-6);
        Tensor h = run1(op("RoiAlign", "sampling_ratio", 1L), x, f(dims(1, 4), 0.5f, 0.5f, 1.5f, 1.5f), batch);
        assertClose(new float[] {2.5f}, h, 1e-6);
        // max mode takes the largest weighted corner: 0.25 * 4
        Tensor m = run1(op("RoiAlign", "sampling_ratio", 1L, "mode", "max"), x, f(dims(1, 4), 0.5f, 0.5f, 1.5f, 1.5f), batch);
        assertClose(new float[] {1}, m, 1e-6);
    }

    @Test
    void col2ImSumsOverlappingBlocks() {
        // two blocks of width 2 sliding over a 1x3 image: (a0, b0) at columns 0-1, (a1, b1) at 1-2
        Tensor cols = f(dims(1, 2, 2), 1, 10, 100, 1000);
        Tensor y = run1(op("Col2Im"), cols, longs(1, 3), longs(1, 2));
        assertShape(y, 1, 1, 1, 3);
        assertClose(new float[] {1, 110, 1000}, y, 0);
        GradCheck.check(op("Col2Im", "pads", new long[] {0, 1, 0, 1}, "strides", new long[] {1, 2}),
                new Tensor[] {GradCheck.random(new SplittableRandom(4), 2, 4, 3), longs(2, 5), longs(2, 2)}, 0);
    }

    @Test
    void causalConvWithStateByHand() {
        // taps (1, 2) over (state, 1, 2, 3): out[t] = x[t-1] + 2 x[t]
        Tensor x = f(dims(1, 1, 3), 1, 2, 3);
        Tensor w = f(dims(1, 1, 2), 1, 2);
        Tensor[] r = run(op("CausalConvWithState"), x, w);
        assertClose(new float[] {2, 5, 8}, r[0], 0);
        assertClose(new float[] {3}, r[1], 0);
        assertClose(new float[] {12, 5, 8}, run(op("CausalConvWithState"), x, w, null, f(dims(1, 1, 1), 10))[0], 0);
    }

    @Test
    void roiAlignGradientToX() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor x = GradCheck.random(r, 2, 3, 5, 6);
        // the second region reaches past the right and bottom border
        Tensor rois = f(dims(3, 4), 0.3f, 0.7f, 3.9f, 4.2f, 1.1f, 0.2f, 6.6f, 5.8f, 0.5f, 0.5f, 2.5f, 1.5f);
        Tensor batch = Tensor.ofLongs(dev.minnow.tensor.Shape.of(3), 0, 1, 1);
        for (String mode : new String[] {"avg", "max"}) {
            for (long ratio = 0; ratio <= 2; ratio += 2) {
                for (String ct : new String[] {"half_pixel", "output_half_pixel"}) {
                    GradCheck.check(op("RoiAlign", "mode", mode, "sampling_ratio", ratio, "coordinate_transformation_mode", ct,
                            "output_height", 2L, "output_width", 3L, "spatial_scale", 0.9), new Tensor[] {x, rois, batch},
                            new int[] {0}, false, 1e-4, 1e-2);
                }
            }
        }
    }

    @Test
    void causalConvWithStateGradients() {
        SplittableRandom r = new SplittableRandom(3);
        for (String act : new String[] {"none", "silu"}) {
            GradCheck.check(op("CausalConvWithState", "activation", act), new Tensor[] {GradCheck.random(r, 2, 3, 5),
                GradCheck.random(r, 3, 1, 3), GradCheck.random(r, 3), GradCheck.random(r, 2, 3, 2)},
                    new int[] {0, 1, 2, 3}, false, 1e-3, 1e-3);
        }
        // no past state, kernel longer than the input: the next state reaches into the zero padding
        GradCheck.check(op("CausalConvWithState"), new Tensor[] {GradCheck.random(r, 1, 2, 2), GradCheck.random(r, 2, 1, 4)},
                new int[] {0, 1}, false, 1e-3, 1e-3);
    }
}
