package dev.minnow.graph.ops.quant;

import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * QLinearConv with constant weights, scales and zero points run on the float convolution kernels
 * and still bit for bit ONNX Runtime's result. The convolution takes x - x_zero and w - w_zero as
 * floats, so the padding ONNX defines (the zero point) is the float kernels' zero padding and no
 * correction terms are needed. It is exact when every partial sum is an integer float32 holds:
 * each product is an integer, and any partial sum of output channel m is at most
 * max|x - x_zero| x sum_k |w[m][k] - w_zero[m]| in magnitude; when that bound is below 2^24 for
 * every channel, every order of additions and fused multiply-adds gives the exact integer. The
 * bias B (int32) is added as a float in the GEMM's store: float(acc) + float(B) rounds once, to
 * float(acc + B), the value ONNX Runtime multiplies by the requantization scale (|B| below 2^24,
 * else this path is not taken). Winograd is excluded ({@link Conv2d#prepareExact}): its transforms
 * leave the integers.
 *
 * <p>Why: the im2col lowering over bytes, the byte-to-float copy of the column matrix and the
 * per-call allocations made the integer path 5-10x slower than the float network; this path
 * converts only the input (C x H x W values) and reuses the float kernels' workspaces.
 * {@link QLinearConvOp#forward} (the integer kernel) is its reference.
 */
public final class QLinearConvFloat {
    /** Integers below this magnitude are exact in float32. */
    static final double EXACT = 1 << 24;

    private final QLinearConvOp op;
    private final Tensor w;
    private final float[] shiftedWeights;
    private final float maxRowL1;
    private final float[] bias;
    private final int xZero;
    private final float[] multipliers;
    private final int yZero;
    private final DType outType;
    private final int lo;
    private final int hi;
    private Conv2d.PreparedWeights prepared;
    private ConvGeometry preparedFor;
    private float[] xs = new float[0];
    private float[] ys = new float[0];

    private QLinearConvFloat(QLinearConvOp op, Tensor w, float[] shiftedWeights, float maxRowL1, float[] bias,
                             int xZero, float[] multipliers, int yZero, DType outType) {
        this.op = op;
        this.w = w;
        this.shiftedWeights = shiftedWeights;
        this.maxRowL1 = maxRowL1;
        this.bias = bias;
        this.xZero = xZero;
        this.multipliers = multipliers;
        this.yZero = yZero;
        this.outType = outType;
        this.lo = (int) Quant.min(outType);
        this.hi = (int) Quant.max(outType);
    }

    /**
     * The float path for a QLinearConv whose inputs 1-8 are these constants (absent optional ones
     * null) and whose x has type xType; null when it cannot be exact (see the class comment) or
     * the types are not 8-bit.
     */
    public static QLinearConvFloat create(QLinearConvOp op, DType xType, Tensor xScale, Tensor xZeroPoint, Tensor w,
                                          Tensor wScale, Tensor wZeroPoint, Tensor yScale, Tensor yZeroPoint,
                                          Tensor b) {
        if (xScale == null || w == null || wScale == null || yScale == null || xScale.dtype() != DType.FLOAT32
                || wScale.dtype() != DType.FLOAT32 || yScale.dtype() != DType.FLOAT32) {
            return null;
        }
        DType outType = yZeroPoint != null ? yZeroPoint.dtype() : xType;
        if (!is8Bit(xType) || !is8Bit(w.dtype()) || !is8Bit(outType)
                || (xZeroPoint != null && xZeroPoint.size() != 1) || (yZeroPoint != null && yZeroPoint.size() != 1)) {
            return null;
        }
        int m = w.shape().dim(0);
        int per = m == 0 ? 0 : w.size() / m;
        int[] wz = Quant.zeroPoints(wZeroPoint);
        float[] ws = floats(wScale);
        if ((wz.length != 1 && wz.length != m) || (ws.length != 1 && ws.length != m)) {
            return null;
        }
        int[] codes = Quant.ints(w);
        float[] shifted = new float[codes.length];
        double maxL1 = 0;
        for (int r = 0; r < m; r++) {
            int z = wz[wz.length == 1 ? 0 : r];
            double l1 = 0;
            for (int k = r * per; k < (r + 1) * per; k++) {
                int v = codes[k] - z;
                shifted[k] = v;
                l1 += Math.abs(v);
            }
            maxL1 = Math.max(maxL1, l1);
        }
        int xz = Quant.zeroPoints(xZeroPoint)[0];
        long xMaxAbs = Math.max(xz - Quant.min(xType), Quant.max(xType) - xz);
        if (maxL1 * xMaxAbs >= EXACT) {
            return null;
        }
        float[] bias = null;
        if (b != null) {
            int[] bi = Quant.ints(b);
            if (bi.length != m) {
                return null;
            }
            bias = new float[m];
            for (int i = 0; i < m; i++) {
                if (Math.abs((long) bi[i]) >= EXACT) {
                    return null;
                }
                bias[i] = bi[i];
            }
        }
        float xs = floats(xScale)[0];
        float ys = floats(yScale)[0];
        float[] mult = new float[m];
        for (int i = 0; i < m; i++) {
            mult[i] = xs * ws[ws.length == 1 ? 0 : i] / ys; // float32 steps, as QLinearConvOp and ONNX Runtime
        }
        return new QLinearConvFloat(op, w, shifted, (float) maxL1, bias, xz,
                mult, Quant.zeroPoints(yZeroPoint)[0], outType);
    }

    private static boolean is8Bit(DType d) {
        return d == DType.UINT8 || d == DType.INT8;
    }

    /** The largest sum of |w - w_zero| over one output channel's weights (the exactness bound's factor). */
    public float maxRowL1() {
        return maxRowL1;
    }

    /** y for input codes x (x's type must be the one given to {@link #create}). */
    public Tensor forward(Tensor x) {
        ConvGeometry g = op.geometry(x.shape(), w.shape());
        if (preparedFor == null || !sameButBatch(preparedFor, g)) {
            prepared = Conv2d.prepareExact(g, shiftedWeights);
            preparedFor = g;
        }
        int inSize = g.inputSize();
        int outSize = g.outputSize();
        if (xs.length < inSize) {
            xs = new float[inSize];
        }
        if (ys.length < outSize) {
            ys = new float[outSize];
        }
        byte[] xb = x.bytes();
        if (x.dtype() == DType.UINT8) {
            for (int i = 0; i < inSize; i++) {
                xs[i] = (xb[i] & 0xff) - xZero;
            }
        } else {
            for (int i = 0; i < inSize; i++) {
                xs[i] = xb[i] - xZero;
            }
        }
        Conv2d.forward(g, xs, shiftedWeights, bias, ys, prepared);
        Tensor out = Tensor.zeros(outType, op.outShape(x.shape(), g));
        byte[] ob = out.bytes();
        int plane = g.outH() * g.outW();
        int m = g.outChannels();
        // clamping before rounding to integer bounds equals saturating after it (rint is monotone)
        float below = lo - yZero;
        float above = hi - yZero;
        for (int i0 = 0, ch = 0; i0 < outSize; i0 += plane, ch = ch + 1 == m ? 0 : ch + 1) {
            float mul = multipliers[ch];
            for (int i = i0; i < i0 + plane; i++) {
                float v = Math.min(above, Math.max(below, ys[i] * mul));
                ob[i] = (byte) ((int) Math.rint(v) + yZero);
            }
        }
        return out;
    }

    private static boolean sameButBatch(ConvGeometry a, ConvGeometry b) {
        return a.inChannels() == b.inChannels() && a.inH() == b.inH() && a.inW() == b.inW()
                && a.outChannels() == b.outChannels() && a.outH() == b.outH() && a.outW() == b.outW();
    }

    private static float[] floats(Tensor t) {
        return t.floats();
    }
}
