package dev.minnow.graph.ops;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * DFT(input [..., 1 or 2], dft_length?, axis?) and STFT(signal, frame_step, window?,
 * frame_length?). inverse with onesided is the inverse real transform: the input is the first
 * n/2+1 bins, the output real (last dim 1) of length dft_length or 2 (bins - 1). The last dim holds a real value (1) or a complex pair (2); outputs are
 * complex pairs. DFT: forward or inverse (1/n scaled) transform along axis (attribute, default
 * 1, before opset 20; input, default -2, from 20), zero-padded or truncated to dft_length;
 * onesided keeps the first n/2+1 bins. STFT: windowed frames of frame_length every frame_step,
 * onesided by default. A direct O(n^2) transform in double: fine for signal-processing
 * front ends of small models, not for long signals. Not differentiable.
 */
final class Dft extends AbstractOp {
    private final boolean stft;
    private final boolean inverse;
    private final boolean onesided;
    private final long attrAxis;

    Dft(String type, Attributes a) {
        super(type, a);
        stft = type.equals("STFT");
        inverse = a.getInt("inverse", 0) != 0;
        onesided = a.getInt("onesided", stft ? 1 : 0) != 0;
        attrAxis = a.getInt("axis", 1);
    }

    private int axis(Tensor[] in, int rank) {
        if (opset < 20) {
            return axis(attrAxis, rank);
        }
        Tensor a = input(in, 2);
        return axis(a == null ? -2 : a.getLong(0), rank);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> inputs, List<Tensor> constants) {
        TensorType x = required(inputs, 0);
        Tensor[] c = constants(inputs, constants);
        int[] d = x.shape().dims();
        d[d.length - 1] = 2;
        if (stft) {
            return List.of(new TensorType(x.dtype(), Shape.of(d[0], Shape.UNKNOWN, Shape.UNKNOWN, 2)));
        }
        boolean axisKnown = opset < 20 || inputs.size() < 3 || inputs.get(2) == null || c[2] != null;
        boolean lengthKnown = inputs.size() < 2 || inputs.get(1) == null || c[1] != null;
        if (!axisKnown) {
            java.util.Arrays.fill(d, 0, d.length - 1, Shape.UNKNOWN);
        } else {
            int ax = axis(c, d.length);
            boolean irfft = inverse && onesided;
            int n = lengthKnown ? (c.length > 1 && c[1] != null ? (int) c[1].getLong(0) : irfft ? 2 * (d[ax] - 1) : d[ax])
                    : Shape.UNKNOWN;
            d[ax] = n < 0 ? n : onesided && !inverse ? n / 2 + 1 : n;
            d[d.length - 1] = irfft ? 1 : 2;
        }
        return List.of(new TensorType(x.dtype(), Shape.of(d)));
    }

    /**
     * Transforms complex data [outer, nIn, inner] (re, im interleaved per element) along the
     * middle axis to [outer, bins, inner] with transform length n.
     */
    private static double[] transform(double[] re, double[] im, int outer, int nIn, int inner, int n, int bins, boolean inverse) {
        double[] out = new double[outer * bins * inner * 2];
        double sign = inverse ? 1 : -1;
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int j = 0; j < n; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / n);
            sin[j] = sign * Math.sin(2 * Math.PI * j / n);
        }
        int used = Math.min(nIn, n);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int k = 0; k < bins; k++) {
                    double sr = 0;
                    double si = 0;
                    for (int j = 0; j < used; j++) {
                        int p = (o * nIn + j) * inner + i;
                        int t = (int) ((long) j * k % n);
                        sr += re[p] * cos[t] - im[p] * sin[t];
                        si += re[p] * sin[t] + im[p] * cos[t];
                    }
                    if (inverse) {
                        sr /= n;
                        si /= n;
                    }
                    int q = ((o * bins + k) * inner + i) * 2;
                    out[q] = sr;
                    out[q + 1] = si;
                }
            }
        }
        return out;
    }

    /** Splits the trailing 1/2 component dim into real and imaginary parts. */
    private static double[][] complex(Tensor x) {
        double[] v = Elems.doubles(x);
        int comps = x.shape().dim(-1);
        int n = v.length / comps;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = v[i * comps];
            im[i] = comps == 2 ? v[i * comps + 1] : 0;
        }
        return new double[][] {re, im};
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        return new Tensor[] {stft ? stft(inputs) : dft(inputs)};
    }

    private Tensor dft(Tensor[] inputs) {
        Tensor x = inputs[0];
        int[] d = x.shape().dims();
        int ax = axis(inputs, d.length);
        Tensor len = input(inputs, 1);
        boolean irfft = inverse && onesided;
        int n = len == null || len.size() == 0 ? (irfft ? 2 * (d[ax] - 1) : d[ax]) : (int) len.getLong(0);
        int bins = onesided && !inverse ? n / 2 + 1 : n;
        double[][] c = complex(x);
        int outer = ReshapeLike.product(d, 0, ax);
        int inner = ReshapeLike.product(d, ax + 1, d.length - 1);
        int nIn = d[ax];
        if (irfft) {
            c = hermitian(c, outer, nIn, inner, n);
            nIn = n;
        }
        double[] out = transform(c[0], c[1], outer, nIn, inner, n, bins, inverse);
        int[] od = d.clone();
        od[ax] = bins;
        od[od.length - 1] = irfft ? 1 : 2;
        if (irfft) {
            double[] real = new double[out.length / 2];
            for (int i = 0; i < real.length; i++) {
                real[i] = out[2 * i];
            }
            out = real;
        }
        return Elems.fromDoubles(x.dtype(), Shape.of(od), out);
    }

    /** The full spectrum of length n of a real signal from its first nIn bins: X[k] = conj(X[n - k]). */
    private static double[][] hermitian(double[][] c, int outer, int nIn, int inner, int n) {
        double[] re = new double[outer * n * inner];
        double[] im = new double[re.length];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                boolean direct = k < nIn;
                int src = direct ? k : n - k;
                for (int i = 0; i < inner; i++) {
                    int p = (o * nIn + src) * inner + i;
                    int q = (o * n + k) * inner + i;
                    if (src < nIn) {
                        re[q] = c[0][p];
                        im[q] = direct ? c[1][p] : -c[1][p];
                    }
                }
            }
        }
        return new double[][] {re, im};
    }

    private Tensor stft(Tensor[] inputs) {
        Tensor signal = inputs[0];
        int batch = signal.shape().dim(0);
        int length = signal.shape().dim(1);
        int step = (int) inputs[1].getLong(0);
        Tensor window = input(inputs, 2);
        Tensor frameLen = input(inputs, 3);
        int fl = frameLen != null ? (int) frameLen.getLong(0) : window != null ? window.size() : length;
        double[] w = window == null ? null : Elems.doubles(window);
        int frames = 1 + (length - fl) / step;
        int bins = onesided ? fl / 2 + 1 : fl;
        double[][] c = complex(signal);
        double[] re = new double[batch * frames * fl];
        double[] im = new double[re.length];
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < frames; f++) {
                for (int j = 0; j < fl; j++) {
                    int src = b * length + f * step + j;
                    int dst = (b * frames + f) * fl + j;
                    double wj = w == null ? 1 : w[j];
                    re[dst] = c[0][src] * wj;
                    im[dst] = c[1][src] * wj;
                }
            }
        }
        double[] out = transform(re, im, batch * frames, fl, 1, fl, bins, false);
        return Elems.fromDoubles(signal.dtype(), Shape.of(batch, frames, bins, 2), out);
    }
}
