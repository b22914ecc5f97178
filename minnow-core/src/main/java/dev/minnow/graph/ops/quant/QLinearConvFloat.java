package dev.minnow.graph.ops.quant;

import dev.minnow.kernels.Codes;
import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * QLinearConv with constant weights, scales and zero points run on the float convolution kernels
 * and still bit for bit ONNX Runtime's result. The convolution takes x - x_zero and w - w_zero as
 * floats, so the padding ONNX defines (the zero point) is the float kernels' zero padding and no
 * correction terms are needed. It is exact when every partial sum is an integer float32 holds:
 * each product is an integer, and any partial sum of output channel m is at most
 * max|x - x_zero| x sum_k |w[m][k] - w_zero[m]| in magnitude; below 2^24, every order of additions
 * and fused multiply-adds gives the exact integer. Where a filter's sum is larger (wide layers,
 * e.g. ResNet-18's 4,608-weight filters), the input channels are cut into chunks that each keep
 * the bound; each chunk is its own float convolution, and the chunks' exact integer results are
 * added in int32. Winograd is excluded ({@link Conv2d#prepareExact}): its transforms leave the
 * integers.
 *
 * <p>Requantization is ONNX Runtime's, float32 steps: v = float(acc + B) x
 * float(float(x_scale x w_scale) / y_scale), round half to even, add y_zero, saturate. In one chunk
 * with |B| below 2^24 the GEMM's store adds B as a float: float(acc) + float(B) rounds once, to
 * float(acc + B).
 *
 * <p>Why: the im2col lowering over bytes, the byte-to-float copy of the column matrix and the
 * per-call allocations made the integer path 5-10x slower than the float network; this path
 * converts only the input and reuses the float kernels' workspaces. {@link QLinearConvOp#forward}
 * (the integer kernel) is its reference.
 */
public final class QLinearConvFloat {
    /** Integers below this magnitude are exact in float32. */
    static final double EXACT = 1 << 24;

    private final QLinearConvOp op;
    private final Tensor w;
    /** Input channel boundaries of the chunks: chunk i covers [starts[i], starts[i + 1]). */
    private final int[] starts;
    /** Per chunk, w - w_zero as floats, [M, chunk channels, kH, kW]. */
    private final float[][] weights;
    private final float[] floatBias;
    private final int[] intBias;
    private final int xZero;
    private final float[] multipliers;
    private final int yZero;
    private final DType outType;
    private final int lo;
    private final int hi;
    private Conv2d.PreparedWeights[] prepared;
    private ConvGeometry preparedFor;
    private float[] xs = new float[0];
    private float[] ys = new float[0];
    private int[] acc = new int[0];

    private QLinearConvFloat(QLinearConvOp op, Tensor w, int[] starts, float[][] weights, int[] intBias, int xZero,
                             float[] multipliers, int yZero, DType outType) {
        this.op = op;
        this.w = w;
        this.starts = starts;
        this.weights = weights;
        this.intBias = intBias;
        boolean floatStore = weights.length == 1 && intBias != null;
        for (int i = 0; floatStore && i < intBias.length; i++) {
            floatStore = Math.abs((long) intBias[i]) < EXACT;
        }
        if (floatStore) {
            floatBias = new float[intBias.length];
            for (int i = 0; i < intBias.length; i++) {
                floatBias[i] = intBias[i];
            }
        } else {
            floatBias = null;
        }
        this.xZero = xZero;
        this.multipliers = multipliers;
        this.yZero = yZero;
        this.outType = outType;
        this.lo = (int) Quant.min(outType);
        this.hi = (int) Quant.max(outType);
    }

    /**
     * The float path for a QLinearConv whose inputs 1-8 are these constants (absent optional ones
     * null) and whose x has type xType; null when the types are not 8-bit or the scales not
     * float32, or a grouped convolution's filters break the bound (only ungrouped ones are cut
     * into channel chunks).
     */
    public static QLinearConvFloat create(QLinearConvOp op, DType xType, Tensor xScale, Tensor xZeroPoint, Tensor w,
                                          Tensor wScale, Tensor wZeroPoint, Tensor yScale, Tensor yZeroPoint,
                                          Tensor b) {
        if (xScale == null || w == null || wScale == null || yScale == null || xScale.dtype() != DType.FLOAT32
                || wScale.dtype() != DType.FLOAT32 || yScale.dtype() != DType.FLOAT32 || w.shape().rank() != 4) {
            return null;
        }
        DType outType = yZeroPoint != null ? yZeroPoint.dtype() : xType;
        if (!is8Bit(xType) || !is8Bit(w.dtype()) || !is8Bit(outType)
                || (xZeroPoint != null && xZeroPoint.size() != 1) || (yZeroPoint != null && yZeroPoint.size() != 1)) {
            return null;
        }
        int m = w.shape().dim(0);
        int channels = w.shape().dim(1);
        int taps = w.shape().dim(2) * w.shape().dim(3);
        int[] wz = Quant.zeroPoints(wZeroPoint);
        float[] ws = wScale.floats();
        if (m == 0 || (wz.length != 1 && wz.length != m) || (ws.length != 1 && ws.length != m)) {
            return null;
        }
        int[] shifted = Quant.ints(w);
        for (int r = 0; r < m; r++) {
            int z = wz[wz.length == 1 ? 0 : r];
            for (int k = r * channels * taps; k < (r + 1) * channels * taps; k++) {
                shifted[k] -= z;
            }
        }
        int xz = Quant.zeroPoints(xZeroPoint)[0];
        double budget = EXACT / Math.max(xz - Quant.min(xType), Quant.max(xType) - xz);
        int[] starts = chunks(shifted, m, channels, taps, budget);
        if (starts == null || (starts.length > 2 && op.group() != 1)) {
            return null;
        }
        float[][] chunkWeights = new float[starts.length - 1][];
        for (int i = 0; i + 1 < starts.length; i++) {
            int cc = starts[i + 1] - starts[i];
            float[] cw = new float[m * cc * taps];
            for (int r = 0; r < m; r++) {
                for (int k = 0; k < cc * taps; k++) {
                    cw[(r * cc) * taps + k] = shifted[(r * channels + starts[i]) * taps + k];
                }
            }
            chunkWeights[i] = cw;
        }
        int[] bias = null;
        if (b != null) {
            bias = Quant.ints(b);
            if (bias.length != m) {
                return null;
            }
        }
        float xs = xScale.floats()[0];
        float ys = yScale.floats()[0];
        float[] mult = new float[m];
        for (int i = 0; i < m; i++) {
            mult[i] = xs * ws[ws.length == 1 ? 0 : i] / ys; // float32 steps, as QLinearConvOp and ONNX Runtime
        }
        return new QLinearConvFloat(op, w, starts, chunkWeights, bias, xz, mult, Quant.zeroPoints(yZeroPoint)[0], outType);
    }

    /**
     * Cuts the input channels into runs in which every filter's sum of |w - w_zero| stays below
     * budget (greedy, in order); null when one channel alone exceeds it.
     */
    static int[] chunks(int[] shifted, int m, int channels, int taps, double budget) {
        List<Integer> starts = new ArrayList<>(List.of(0));
        double[] running = new double[m];
        for (int c = 0; c < channels; c++) {
            double[] add = new double[m];
            boolean fits = true;
            for (int r = 0; r < m; r++) {
                int at = (r * channels + c) * taps;
                for (int k = 0; k < taps; k++) {
                    add[r] += Math.abs(shifted[at + k]);
                }
                if (add[r] >= budget) {
                    return null;
                }
                fits &= running[r] + add[r] < budget;
            }
            if (!fits) {
                starts.add(c);
                java.util.Arrays.fill(running, 0);
            }
            for (int r = 0; r < m; r++) {
                running[r] += add[r];
            }
        }
        starts.add(channels);
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean is8Bit(DType d) {
        return d == DType.UINT8 || d == DType.INT8;
    }

    /** How many channel chunks the convolution runs in (1 when the whole filter keeps the bound). */
    public int chunkCount() {
        return weights.length;
    }

    /** y for input codes x (x's type must be the one given to {@link #create}). */
    public Tensor forward(Tensor x) {
        ConvGeometry g = op.geometry(x.shape(), w.shape());
        if (preparedFor == null || !sameButBatch(preparedFor, g)) {
            prepared = new Conv2d.PreparedWeights[weights.length];
            for (int i = 0; i < weights.length; i++) {
                prepared[i] = Conv2d.prepareExact(chunk(g, i), weights[i]);
            }
            preparedFor = g;
        }
        int outSize = g.outputSize();
        ys = grow(ys, outSize);
        byte[] xb = x.bytes();
        boolean unsigned = x.dtype() == DType.UINT8;
        int plane = g.inH() * g.inW();
        if (floatBias != null || (weights.length == 1 && intBias == null)) {
            xs = grow(xs, g.inputSize());
            Codes.toFloats(xb, 0, xs, 0, g.inputSize(), unsigned, xZero);
            Conv2d.forward(g, xs, weights[0], floatBias, ys, prepared[0]);
            return requantize(g, ys, null, x);
        }
        acc = outSize > acc.length ? new int[outSize] : acc;
        java.util.Arrays.fill(acc, 0, outSize, 0);
        for (int i = 0; i < weights.length; i++) {
            ConvGeometry gc = chunk(g, i);
            xs = grow(xs, gc.inputSize());
            int cc = gc.inChannels();
            for (int n = 0; n < g.batch(); n++) {
                Codes.toFloats(xb, (n * g.inChannels() + starts[i]) * plane, xs, n * cc * plane, cc * plane, unsigned,
                        xZero);
            }
            Conv2d.forward(gc, xs, weights[i], null, ys, prepared[i]);
            for (int k = 0; k < outSize; k++) {
                acc[k] += (int) ys[k];
            }
        }
        return requantize(g, null, acc, x);
    }

    /** Output codes from float sums (bias already added) or from int32 accumulators (bias added here, in int32). */
    private Tensor requantize(ConvGeometry g, float[] sums, int[] ints, Tensor x) {
        Tensor out = Tensor.zeros(outType, op.outShape(x.shape(), g));
        byte[] ob = out.bytes();
        int plane = g.outH() * g.outW();
        int m = g.outChannels();
        if (sums == null) { // float(acc + B): one int32 sum, one rounding, as ONNX Runtime
            sums = ys;
            for (int i0 = 0, ch = 0; i0 < g.outputSize(); i0 += plane, ch = ch + 1 == m ? 0 : ch + 1) {
                int add = intBias == null ? 0 : intBias[ch];
                for (int i = i0; i < i0 + plane; i++) {
                    sums[i] = (float) (ints[i] + add);
                }
            }
        }
        for (int i0 = 0, ch = 0; i0 < g.outputSize(); i0 += plane, ch = ch + 1 == m ? 0 : ch + 1) {
            Codes.requantize(sums, i0, plane, multipliers[ch], lo, hi, yZero, ob, i0);
        }
        return out;
    }

    /** The geometry of chunk i: its input channels only. */
    private ConvGeometry chunk(ConvGeometry g, int i) {
        if (weights.length == 1) {
            return g;
        }
        return new ConvGeometry(g.batch(), starts[i + 1] - starts[i], g.inH(), g.inW(), g.outChannels(), g.outH(),
                g.outW(), g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padTop(), g.padLeft(), g.padBottom(),
                g.padRight(), g.dilationH(), g.dilationW(), g.groups());
    }

    private static float[] grow(float[] a, int size) {
        return a.length < size ? new float[size] : a;
    }

    private static boolean sameButBatch(ConvGeometry a, ConvGeometry b) {
        return a.inChannels() == b.inChannels() && a.inH() == b.inH() && a.inW() == b.inW()
                && a.outChannels() == b.outChannels() && a.outH() == b.outH() && a.outW() == b.outW();
    }
}
