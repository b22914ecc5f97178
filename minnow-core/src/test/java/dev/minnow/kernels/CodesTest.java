package dev.minnow.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Codes' vector bodies against the scalar twins and against Math.rint, on random lengths and offsets. */
class CodesTest {
    @Test
    void toFloatsEqualsScalar() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int t = 0; t < 200; t++) {
            int n = rnd.nextInt(70);
            int from = rnd.nextInt(5);
            int at = rnd.nextInt(5);
            byte[] src = new byte[from + n];
            for (int i = 0; i < src.length; i++) {
                src[i] = (byte) rnd.nextInt(256);
            }
            boolean unsigned = rnd.nextBoolean();
            int zero = unsigned ? rnd.nextInt(256) : rnd.nextInt(-128, 128);
            float[] want = new float[at + n + 3];
            float[] got = new float[at + n + 3];
            Codes.toFloatsScalar(src, from, want, at, n, unsigned, zero);
            Codes.toFloats(src, from, got, at, n, unsigned, zero);
            assertArrayEquals(want, got, "n=" + n + " unsigned=" + unsigned);
        }
    }

    /**
     * Values at exact halves (ties, both signs), near halves, and far out of range: round half to
     * even, then the zero point, then saturation, as Math.rint and clamping give.
     */
    @Test
    void requantizeEqualsRintAndSaturation() {
        SplittableRandom rnd = new SplittableRandom(2);
        int ties = 0;
        for (int t = 0; t < 300; t++) {
            int n = rnd.nextInt(70);
            int from = rnd.nextInt(5);
            int at = rnd.nextInt(5);
            float[] sums = new float[from + n];
            float mul = rnd.nextBoolean() ? 1f : rnd.nextBoolean() ? 0.5f : (float) rnd.nextDouble(1e-4, 2);
            for (int i = 0; i < sums.length; i++) {
                sums[i] = switch (rnd.nextInt(3)) {
                    case 0 -> rnd.nextInt(-600, 600) + 0.5f;
                    case 1 -> rnd.nextInt(-2_000_000, 2_000_000);
                    default -> (float) rnd.nextDouble(-400, 400);
                };
            }
            boolean unsigned = rnd.nextBoolean();
            int lo = unsigned ? 0 : -128;
            int hi = unsigned ? 255 : 127;
            int zero = rnd.nextInt(lo, hi + 1);
            byte[] want = new byte[at + n + 2];
            byte[] got = new byte[at + n + 2];
            for (int i = 0; i < n; i++) {
                float v = sums[from + i] * mul;
                double r = Math.max(lo, Math.min(hi, Math.rint(v) + zero));
                want[at + i] = (byte) (int) r;
                ties += v == Math.floor(v) + 0.5 && Math.abs(v) < 300 ? 1 : 0;
            }
            Codes.requantize(sums, from, n, mul, lo, hi, zero, got, at);
            assertArrayEquals(want, got, "vector, n=" + n + " mul=" + mul + " zero=" + zero);
            byte[] scalar = new byte[at + n + 2];
            Codes.requantizeScalar(sums, from, n, mul, lo, hi, zero, scalar, at);
            assertArrayEquals(want, scalar, "scalar");
        }
        assertTrue(ties > 500, "exact ties compared: " + ties);
    }
}
