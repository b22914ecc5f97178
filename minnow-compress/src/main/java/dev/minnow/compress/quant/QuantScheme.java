package dev.minnow.compress.quant;

import dev.minnow.errors.InvalidInputException;
import dev.minnow.tensor.DType;

/**
 * How one tensor is mapped to integers: bit width (2..16), signed or unsigned integers,
 * symmetric (zero point fixed at the middle of the range: 0 for signed) or affine (zero point
 * chosen so the observed range fits), one scale per tensor or one per channel, scales rounded
 * up to powers of two (what DPU-style fixed-point accelerators need), and a narrow range that
 * leaves out the most negative signed code (-127..127 for int8, so that -x is representable).
 *
 * <p>Sub-8-bit schemes keep their codes in int8 / uint8 storage (ONNX QuantizeLinear has no
 * narrower type that ONNX Runtime runs); their levels are limited by {@link #qmin} / {@link
 * #qmax}, and sizes count them packed ({@link #bits}).
 */
public record QuantScheme(int bits, boolean signed, boolean symmetric, boolean perChannel, boolean powerOfTwo,
        boolean narrowRange) {

    public QuantScheme {
        if (bits < 2 || bits > 16) {
            throw new InvalidInputException("quantization bits must be between 2 and 16, got " + bits
                    + " (use float16 or bfloat16 conversion for 16-bit floats, binary weights for 1 bit)");
        }
    }

    /** Weights by default: signed, symmetric, narrow range, one scale per output channel. */
    public static QuantScheme weights(int bits) {
        return new QuantScheme(bits, true, true, true, false, true);
    }

    /** Activations by default: unsigned, affine (zero point from the observed range), per tensor. */
    public static QuantScheme activations(int bits) {
        return new QuantScheme(bits, false, false, false, false, false);
    }

    public QuantScheme withPerChannel(boolean v) {
        return new QuantScheme(bits, signed, symmetric, v, powerOfTwo, narrowRange);
    }

    public QuantScheme withSymmetric(boolean v) {
        return new QuantScheme(bits, signed, v, perChannel, powerOfTwo, narrowRange);
    }

    public QuantScheme withSigned(boolean v) {
        return new QuantScheme(bits, v, symmetric, perChannel, powerOfTwo, narrowRange);
    }

    public QuantScheme withPowerOfTwo(boolean v) {
        return new QuantScheme(bits, signed, symmetric, perChannel, v, narrowRange);
    }

    public QuantScheme withBits(int b) {
        return new QuantScheme(b, signed, symmetric, perChannel, powerOfTwo, narrowRange);
    }

    /** Smallest integer code. */
    public int qmin() {
        if (!signed) {
            return 0;
        }
        int m = -(1 << (bits - 1));
        return narrowRange ? m + 1 : m;
    }

    /** Largest integer code. */
    public int qmax() {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** The ONNX element type the codes are stored in. */
    public DType storageType() {
        if (bits <= 8) {
            return signed ? DType.INT8 : DType.UINT8;
        }
        if (!signed) {
            throw new InvalidInputException("unsigned " + bits + "-bit quantization has no ONNX storage type "
                    + "ONNX Runtime runs; use signed codes (or 8 bits or fewer) for more than 8 bits");
        }
        return DType.INT16;
    }

    /**
     * Scale and zero point that map [min, max] onto [qmin, qmax]. The range is widened to include
     * 0 so that zero (padding, ReLU's floor) is exactly representable. A range of width 0 gets
     * scale 1 (all its values are 0 after widening). NaN or infinite bounds are an error: they
     * come from a diverged model or a broken calibration set, and quantizing them would hide it.
     */
    public float[] scaleAndZeroPoint(float min, float max) {
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new InvalidInputException("cannot quantize a tensor whose observed range is [" + min + ", " + max
                    + "]: the model produced NaN or infinite values on the calibration data; check the model "
                    + "and the calibration set's preprocessing");
        }
        float lo = Math.min(min, 0f);
        float hi = Math.max(max, 0f);
        double scale;
        double zeroPoint;
        if (symmetric) {
            double amax = Math.max(-lo, hi);
            if (signed) {
                scale = amax / qmax();
                zeroPoint = 0;
            } else {
                // unsigned symmetric: zero sits mid-range, as in PyTorch's symmetric quint8
                scale = amax / ((qmax() - qmin()) / 2.0);
                zeroPoint = (qmin() + qmax() + 1) / 2;
            }
        } else {
            scale = ((double) hi - lo) / (qmax() - qmin());
            zeroPoint = scale == 0 ? 0 : Math.rint(qmin() - lo / scale);
            zeroPoint = Math.max(qmin(), Math.min(qmax(), zeroPoint));
        }
        if (scale == 0 || !(scale > Float.MIN_NORMAL)) {
            scale = 1;
            if (!symmetric) {
                zeroPoint = Math.max(qmin(), Math.min(qmax(), 0));
            }
        }
        if (powerOfTwo) {
            scale = Math.pow(2, Math.ceil(Math.log(scale) / Math.log(2) - 1e-9));
        }
        return new float[] {(float) scale, (float) zeroPoint};
    }
}
