package dev.minnow.kernels;

/**
 * Conversions between 8-bit quantization codes and floats around the float-kernel integer ops
 * (QLinearConv on the float kernels): codes to x - zero as floats, and float sums back to
 * requantized codes, ONNX Runtime's rounding (round half to even, then the zero point, then
 * saturation). Vector API bodies in {@link CodesVector} when available; the scalar loops here are
 * their twins. They matter on wide feature maps: MobileNetV2's early depthwise layers convert
 * more values than they multiply.
 */
public final class Codes {
    private Codes() {
    }

    /** dst[at + i] = code(src[from + i]) - zero for i < count; uint8 codes read as 0..255. */
    public static void toFloats(byte[] src, int from, float[] dst, int at, int count, boolean unsigned, int zero) {
        if (VectorSupport.AVAILABLE) {
            CodesVector.toFloats(src, from, dst, at, count, unsigned, zero);
        } else {
            toFloatsScalar(src, from, dst, at, count, unsigned, zero);
        }
    }

    static void toFloatsScalar(byte[] src, int from, float[] dst, int at, int count, boolean unsigned, int zero) {
        for (int i = 0; i < count; i++) {
            dst[at + i] = (unsigned ? src[from + i] & 0xff : src[from + i]) - zero;
        }
    }

    /**
     * out[at + i] = min(hi, max(lo, rint(sums[from + i] * mul) + zero)) for i < count, with the
     * product in float32 and lo, hi the code type's range (e.g. 0, 255).
     */
    public static void requantize(float[] sums, int from, int count, float mul, int lo, int hi, int zero, byte[] out,
                                  int at) {
        if (VectorSupport.AVAILABLE) {
            CodesVector.requantize(sums, from, count, mul, lo, hi, zero, out, at);
        } else {
            requantizeScalar(sums, from, count, mul, lo, hi, zero, out, at);
        }
    }

    static void requantizeScalar(float[] sums, int from, int count, float mul, int lo, int hi, int zero, byte[] out,
                                 int at) {
        // clamping before rounding to integer bounds equals saturating after it (rint is monotone)
        float below = lo - zero;
        float above = hi - zero;
        for (int i = 0; i < count; i++) {
            float v = Math.min(above, Math.max(below, sums[from + i] * mul));
            out[at + i] = (byte) ((int) Math.rint(v) + zero);
        }
    }
}
