package dev.minnow.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Op;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The checker itself: it passes a correct gradient and fails one that is a few percent off. */
class GradCheckTest {
    /** y = x^3 / 3 + x with backward (x^2 + 1) * (1 + error). */
    private record Cubic(double error) implements Op {
        public String type() {
            return "Cubic";
        }

        public Attributes attributes() {
            return Attributes.of();
        }

        public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
            return in;
        }

        public Tensor[] forward(OpContext ctx, Tensor[] in) {
            float[] x = in[0].floats();
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] * x[i] * x[i] / 3 + x[i];
            }
            return new Tensor[] {Tensor.of(in[0].shape(), y)};
        }

        public Tensor[] backward(OpContext ctx, Tensor[] in, Tensor[] out, Tensor[] dy) {
            float[] x = in[0].floats();
            float[] g = dy[0].floats();
            float[] dx = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                dx[i] = (float) (g[i] * (x[i] * x[i] + 1) * (1 + error));
            }
            return new Tensor[] {Tensor.of(in[0].shape(), dx)};
        }
    }

    @Test
    void acceptsTheTrueGradientAndRejectsOneOnePointFivePercentOff() {
        SplittableRandom r = new SplittableRandom(1);
        GradCheck.check(new Cubic(0), new Tensor[] {GradCheck.random(r, 50)}, 0);
        // the old check, |a - n| / max(1, |n|) <= 2e-2, let this through (gradients here are at most 2)
        assertThrows(AssertionFailedError.class, () -> GradCheck.check(new Cubic(0.015), new Tensor[] {GradCheck.random(r, 50)}, 0));
    }
}
