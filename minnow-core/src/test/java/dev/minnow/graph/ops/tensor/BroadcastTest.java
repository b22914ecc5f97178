package dev.minnow.graph.ops.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.minnow.tensor.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BroadcastTest {
    /** Flat input index of every output element, by explicit coordinates (the naive twin of map and plan). */
    private static int naive(Shape in, Shape out, int flat) {
        int[] od = out.dims();
        int[] is = in.strides();
        int off = 0;
        for (int d = od.length - 1; d >= 0; d--) {
            int c = flat % od[d];
            flat /= od[d];
            int k = d - (od.length - in.rank());
            if (k >= 0 && in.dim(k) != 1) {
                off += c * is[k];
            }
        }
        return off;
    }

    @Test
    void mapAndPlanAgreeWithCoordinatesOnRandomShapes() {
        SplittableRandom r = new SplittableRandom(41);
        for (int t = 0; t < 300; t++) {
            int rank = 1 + r.nextInt(4);
            int[] out = new int[rank];
            for (int i = 0; i < rank; i++) {
                out[i] = 1 + r.nextInt(4);
            }
            Shape[] ins = new Shape[2];
            for (int k = 0; k < 2; k++) {
                int inRank = r.nextInt(rank + 1);
                int[] d = new int[inRank];
                for (int i = 0; i < inRank; i++) {
                    d[i] = r.nextBoolean() ? 1 : out[rank - inRank + i];
                }
                ins[k] = Shape.of(d);
            }
            Shape os = Shape.of(out);
            Broadcast.Plan p = Broadcast.plan(os, ins);
            assertEquals(os.size(), (long) p.outer() * p.block());
            for (int k = 0; k < 2; k++) {
                int[] m = Broadcast.map(ins[k], os);
                for (int i = 0; i < os.sizeInt(); i++) {
                    int expected = naive(ins[k], os, i);
                    assertEquals(expected, m == null ? i : m[i], "map " + ins[k] + " -> " + os);
                    int o = i / p.block();
                    int j = i % p.block();
                    assertEquals(expected, p.base()[k][o] + j * p.step()[k], "plan " + ins[k] + " -> " + os);
                }
            }
        }
    }
}
