package dev.minnow.compress.quant;

import dev.minnow.errors.ShapeException;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * The scale(s) and zero point(s) of one quantized tensor under a {@link QuantScheme}: one entry
 * per tensor (axis -1), or one per index of {@code axis}. Quantization is ONNX QuantizeLinear's:
 * q = clamp(rint(x / scale) + zeroPoint, qmin, qmax), rounding half to even; dequantization is
 * (q - zeroPoint) * scale. Computed in float32 division as ONNX Runtime does, so that codes agree.
 */
public record QuantParams(QuantScheme scheme, float[] scale, int[] zeroPoint, int axis) {

    public QuantParams {
        if (scale.length != zeroPoint.length || scale.length == 0) {
            throw new IllegalArgumentException("scale and zero point counts differ: " + scale.length + " vs "
                    + zeroPoint.length);
        }
        if (axis < 0 && scale.length != 1) {
            throw new IllegalArgumentException("per-tensor parameters need one scale, got " + scale.length);
        }
    }

    /** Per-tensor parameters for the range [min, max]. */
    public static QuantParams perTensor(QuantScheme s, float min, float max) {
        float[] sz = s.scaleAndZeroPoint(min, max);
        return new QuantParams(s, new float[] {sz[0]}, new int[] {(int) sz[1]}, -1);
    }

    /** Per-channel parameters along axis for ranges [min[c], max[c]]. */
    public static QuantParams perChannel(QuantScheme s, float[] min, float[] max, int axis) {
        float[] scale = new float[min.length];
        int[] zp = new int[min.length];
        for (int c = 0; c < min.length; c++) {
            float[] sz = s.scaleAndZeroPoint(min[c], max[c]);
            scale[c] = sz[0];
            zp[c] = (int) sz[1];
        }
        return new QuantParams(s, scale, zp, axis);
    }

    public boolean isPerChannel() {
        return axis >= 0;
    }

    public int channels() {
        return scale.length;
    }

    /** The integer code of x in channel c. */
    public int quantize(float x, int c) {
        float v = x / scale[c];
        double q = Math.rint(v) + zeroPoint[c];
        return (int) Math.max(scheme.qmin(), Math.min(scheme.qmax(), q));
    }

    public float dequantize(int q, int c) {
        return (q - zeroPoint[c]) * scale[c];
    }

    /** x quantized and dequantized (the value the integer model computes with). */
    public float fakeQuantize(float x, int c) {
        return dequantize(quantize(x, c), c);
    }

    /** For each element of a tensor of this shape: its channel (0 for per-tensor parameters). */
    public int[] channelIndex(Shape shape) {
        int n = (int) shape.size();
        int[] idx = new int[n];
        if (!isPerChannel()) {
            return idx;
        }
        if (axis >= shape.rank() || shape.dim(axis) != scale.length) {
            throw new ShapeException("per-channel parameters for " + scale.length + " channels on axis " + axis
                    + " do not fit a tensor of shape " + shape);
        }
        int inner = 1;
        for (int d = axis + 1; d < shape.rank(); d++) {
            inner *= shape.dim(d);
        }
        for (int i = 0; i < n; i++) {
            idx[i] = (i / inner) % scale.length;
        }
        return idx;
    }

    /** A float32 tensor of the same shape with every value on its quantization grid. */
    public Tensor fakeQuantize(Tensor x) {
        int[] ch = channelIndex(x.shape());
        float[] in = x.floats();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = fakeQuantize(in[i], ch[i]);
        }
        return Tensor.of(x.shape(), out);
    }

    /** The codes of x, in the scheme's storage type (int8 / uint8 / int16). */
    public Tensor quantize(Tensor x) {
        int[] ch = channelIndex(x.shape());
        float[] in = x.floats();
        DType t = scheme.storageType();
        Tensor q = Tensor.zeros(t, x.shape());
        for (int i = 0; i < in.length; i++) {
            int v = quantize(in[i], ch[i]);
            if (t == DType.INT16) {
                q.shorts()[i] = (short) v;
            } else {
                q.bytes()[i] = (byte) v;
            }
        }
        return q;
    }

    /** The scale input of QuantizeLinear / DequantizeLinear: a scalar, or 1-D per channel. */
    public Tensor scaleTensor() {
        return isPerChannel() ? Tensor.of(Shape.of(scale.length), scale.clone()) : Tensor.scalar(scale[0]);
    }

    /** The zero-point input, in the storage type, shaped as {@link #scaleTensor}. */
    public Tensor zeroPointTensor() {
        DType t = scheme.storageType();
        Shape s = isPerChannel() ? Shape.of(zeroPoint.length) : Shape.scalar();
        Tensor z = Tensor.zeros(t, s);
        for (int i = 0; i < zeroPoint.length; i++) {
            if (t == DType.INT16) {
                z.shorts()[i] = (short) zeroPoint[i];
            } else {
                z.bytes()[i] = (byte) zeroPoint[i];
            }
        }
        return z;
    }
}
