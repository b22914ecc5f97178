package dev.minnow.graph.ops.signal;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.AbstractOp;
import dev.minnow.graph.ops.Elems;
import dev.minnow.graph.ops.ReshapeLike;
import dev.minnow.tensor.DType;
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
 * front ends of small models, not for long signals. Backward is the adjoint transform (DFT: to
 * the input; STFT: to the signal and the window).
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

    /** Sizes of one DFT call: outer / inner around the axis, input length, transform length, output bins. */
    private record Plan(int outer, int nIn, int inner, int n, int bins, boolean irfft, int[] outDims) {
    }

    private Plan plan(Tensor[] inputs) {
        int[] d = inputs[0].shape().dims();
        int ax = axis(inputs, d.length);
        Tensor len = input(inputs, 1);
        boolean irfft = inverse && onesided;
        int n = len == null || len.size() == 0 ? (irfft ? 2 * (d[ax] - 1) : d[ax]) : (int) len.getLong(0);
        int bins = onesided && !inverse ? n / 2 + 1 : n;
        int[] od = d.clone();
        od[ax] = bins;
        od[od.length - 1] = irfft ? 1 : 2;
        return new Plan(ReshapeLike.product(d, 0, ax), d[ax], ReshapeLike.product(d, ax + 1, d.length - 1), n, bins, irfft, od);
    }

    private Tensor dft(Tensor[] inputs) {
        Tensor x = inputs[0];
        Plan pl = plan(inputs);
        boolean irfft = pl.irfft();
        int n = pl.n();
        double[][] c = complex(x);
        int nIn = pl.nIn();
        if (irfft) {
            c = hermitian(c, pl.outer(), nIn, pl.inner(), n);
            nIn = n;
        }
        double[] out = transform(c[0], c[1], pl.outer(), nIn, pl.inner(), n, pl.bins(), inverse);
        int[] od = pl.outDims();
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
        hermitianMap(outer, nIn, inner, n, (p, q, conj) -> {
            re[q] = c[0][p];
            im[q] = conj * c[1][p];
        });
        return new double[][] {re, im};
    }

    /** Full-spectrum element q reads stored bin element p, conjugated when conj = -1. */
    private interface BinVisitor {
        void at(int p, int q, int conj);
    }

    private static void hermitianMap(int outer, int nIn, int inner, int n, BinVisitor v) {
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < n; k++) {
                boolean direct = k < nIn;
                int src = direct ? k : n - k;
                if (src >= nIn) {
                    continue;
                }
                for (int i = 0; i < inner; i++) {
                    v.at((o * nIn + src) * inner + i, (o * n + k) * inner + i, direct ? 1 : -1);
                }
            }
        }
    }

    /** STFT sizes: batch, signal length, hop, frame length, window (null: ones), frame count, bins. */
    private record Frames(int batch, int length, int step, int fl, double[] w, int frames, int bins) {
        /** Visits (signal index, frame element index, window tap j) of every frame element. */
        void each(FrameVisitor v) {
            for (int b = 0; b < batch; b++) {
                for (int f = 0; f < frames; f++) {
                    for (int j = 0; j < fl; j++) {
                        v.at(b * length + f * step + j, (b * frames + f) * fl + j, j);
                    }
                }
            }
        }
    }

    private interface FrameVisitor {
        void at(int src, int dst, int j);
    }

    private Frames frames(Tensor[] inputs) {
        Tensor signal = inputs[0];
        int length = signal.shape().dim(1);
        int step = (int) inputs[1].getLong(0);
        Tensor window = input(inputs, 2);
        Tensor frameLen = input(inputs, 3);
        int fl = frameLen != null ? (int) frameLen.getLong(0) : window != null ? window.size() : length;
        return new Frames(signal.shape().dim(0), length, step, fl, window == null ? null : Elems.doubles(window),
                1 + (length - fl) / step, onesided ? fl / 2 + 1 : fl);
    }

    private Tensor stft(Tensor[] inputs) {
        Tensor signal = inputs[0];
        Frames fr = frames(inputs);
        double[][] c = complex(signal);
        double[] re = new double[fr.batch() * fr.frames() * fr.fl()];
        double[] im = new double[re.length];
        fr.each((src, dst, j) -> {
            double wj = fr.w() == null ? 1 : fr.w()[j];
            re[dst] = c[0][src] * wj;
            im[dst] = c[1][src] * wj;
        });
        double[] out = transform(re, im, fr.batch() * fr.frames(), fr.fl(), 1, fr.fl(), fr.bins(), false);
        return Elems.fromDoubles(signal.dtype(), Shape.of(fr.batch(), fr.frames(), fr.bins(), 2), out);
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor[] r = new Tensor[inputs.length];
        if (gradOutputs[0] == null) {
            return r;
        }
        double[] g = Elems.doubles(gradOutputs[0]);
        if (stft) {
            stftBackward(inputs, g, r);
            return r;
        }
        Plan pl = plan(inputs);
        if (pl.irfft()) {
            // the real output is the real part of a complex one
            double[] full = new double[g.length * 2];
            for (int i = 0; i < g.length; i++) {
                full[2 * i] = g[i];
            }
            g = full;
        }
        double[][] gc = transformAdjoint(g, pl.outer(), pl.irfft() ? pl.n() : pl.nIn(), pl.inner(), pl.n(), pl.bins(), inverse);
        if (pl.irfft()) {
            gc = hermitianAdjoint(gc, pl.outer(), pl.nIn(), pl.inner(), pl.n());
        }
        r[0] = complexAdjoint(gc, inputs[0]);
        return r;
    }

    /** Adjoint of {@link #transform}: output gradient [outer, bins, inner, 2] to re / im gradients [outer, nIn, inner]. */
    private static double[][] transformAdjoint(double[] g, int outer, int nIn, int inner, int n, int bins, boolean inverse) {
        double[] gre = new double[outer * nIn * inner];
        double[] gim = new double[gre.length];
        double sign = inverse ? 1 : -1;
        double scale = inverse ? 1.0 / n : 1;
        int used = Math.min(nIn, n);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                for (int j = 0; j < used; j++) {
                    double ar = 0;
                    double ai = 0;
                    for (int k = 0; k < bins; k++) {
                        int q = ((o * bins + k) * inner + i) * 2;
                        double angle = 2 * Math.PI * (int) ((long) j * k % n) / n;
                        double cos = Math.cos(angle);
                        double sin = sign * Math.sin(angle);
                        ar += g[q] * cos + g[q + 1] * sin;
                        ai += -g[q] * sin + g[q + 1] * cos;
                    }
                    int p = (o * nIn + j) * inner + i;
                    gre[p] = ar * scale;
                    gim[p] = ai * scale;
                }
            }
        }
        return new double[][] {gre, gim};
    }

    /** Adjoint of {@link #hermitian}: every bin's gradient back to the stored bin it was read from. */
    private static double[][] hermitianAdjoint(double[][] g, int outer, int nIn, int inner, int n) {
        double[] re = new double[outer * nIn * inner];
        double[] im = new double[re.length];
        hermitianMap(outer, nIn, inner, n, (p, q, conj) -> {
            re[p] += g[0][q];
            im[p] += conj * g[1][q];
        });
        return new double[][] {re, im};
    }

    /** Adjoint of {@link #complex}: float32 gradient of x (its imaginary gradient dropped when x is real). */
    private static Tensor complexAdjoint(double[][] g, Tensor x) {
        int comps = x.shape().dim(-1);
        double[] v = new double[g[0].length * comps];
        for (int i = 0; i < g[0].length; i++) {
            v[i * comps] = g[0][i];
            if (comps == 2) {
                v[i * comps + 1] = g[1][i];
            }
        }
        return Elems.fromDoubles(DType.FLOAT32, x.shape(), v);
    }

    /** STFT backward: the frames' gradients (adjoint transform) back to the signal and the window. */
    private void stftBackward(Tensor[] inputs, double[] g, Tensor[] r) {
        Tensor signal = inputs[0];
        Frames fr = frames(inputs);
        double[][] c = complex(signal);
        double[][] gf = transformAdjoint(g, fr.batch() * fr.frames(), fr.fl(), 1, fr.fl(), fr.bins(), false);
        double[][] gs = {new double[c[0].length], new double[c[0].length]};
        double[] w = fr.w();
        double[] gw = w == null ? null : new double[w.length];
        fr.each((src, dst, j) -> {
            double wj = w == null ? 1 : w[j];
            gs[0][src] += gf[0][dst] * wj;
            gs[1][src] += gf[1][dst] * wj;
            if (gw != null) {
                gw[j] += gf[0][dst] * c[0][src] + gf[1][dst] * c[1][src];
            }
        });
        r[0] = complexAdjoint(gs, signal);
        if (gw != null) {
            r[2] = Elems.fromDoubles(DType.FLOAT32, inputs[2].shape(), gw);
        }
    }

    @Override
    public InputRole inputRole(int index) {
        return index >= 1 ? InputRole.SETTING : InputRole.DATA;
    }
}
