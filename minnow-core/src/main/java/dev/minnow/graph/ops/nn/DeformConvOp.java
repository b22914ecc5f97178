package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX DeformConv (opset 19, 2-D, forward and backward): X [N, C, H, W], W [M, C/group, kH, kW],
 * offset [N, offset_group * 2 * kH * kW, oH, oW] ((dh, dw) per kernel tap), optional B [M] and
 * mask [N, offset_group * kH * kW, oH, oW]. Each tap samples X bilinearly (0 outside) at its
 * regular position plus the offset, times the mask; the samples are gathered column-wise and
 * multiplied by W with one GEMM per group. Backward reaches X, W, offset, B and mask. MACs as Conv.
 */
public final class DeformConvOp extends NnOp {
    private final Window window;
    private final int group;
    private final int offsetGroup;

    public DeformConvOp(Attributes attrs) {
        super("DeformConv", attrs);
        this.window = new Window(type, this.attrs);
        long g = this.attrs.getInt("group", 1);
        long og = this.attrs.getInt("offset_group", 1);
        if (g < 1) {
            throw unsupported("group", g, "an integer >= 1");
        }
        if (og < 1) {
            throw unsupported("offset_group", og, "an integer >= 1");
        }
        this.group = (int) g;
        this.offsetGroup = (int) og;
    }

    private Window.Resolved resolve(Shape x, Shape w) {
        if (x.rank() != 4 || w.rank() != 4) {
            throw new ShapeException(type + ": X " + x + " and W " + w + " must be 4-D (2-D deformable convolution)");
        }
        return window.resolve(new int[] {x.dim(2), x.dim(3)}, new int[] {w.dim(2), w.dim(3)});
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        TensorType w = required(in, 1, "W");
        required(in, 2, "offset");
        requireFloating(x, "X");
        Window.Resolved r = resolve(x.shape(), w.shape());
        int c = x.shape().dim(1);
        if (c >= 0 && w.shape().dim(1) >= 0 && c != w.shape().dim(1) * group) {
            throw new ShapeException(type + ": X has " + c + " channels but W " + w.shape() + " with group " + group
                    + " expects " + w.shape().dim(1) * group);
        }
        return List.of(new TensorType(x.dtype(), Shape.of(x.shape().dim(0), w.shape().dim(0), r.out()[0], r.out()[1])));
    }

    /** X[plane] at (h, w) by bilinear interpolation; corners outside the image count as 0. */
    private static double bilinear(float[] x, int plane, int height, int width, double h, double w) {
        if (h <= -1 || h >= height || w <= -1 || w >= width) {
            return 0;
        }
        int h0 = (int) Math.floor(h);
        int w0 = (int) Math.floor(w);
        double lh = h - h0;
        double lw = w - w0;
        double v = 0;
        for (int dh = 0; dh < 2; dh++) {
            for (int dw = 0; dw < 2; dw++) {
                int hh = h0 + dh;
                int ww = w0 + dw;
                if (hh >= 0 && hh < height && ww >= 0 && ww < width) {
                    v += (dh == 0 ? 1 - lh : lh) * (dw == 0 ? 1 - lw : lw) * x[plane + hh * width + ww];
                }
            }
        }
        return v;
    }

    /** Sizes of one call: batch, channels, image, filters, kernel, output, and per-group counts. */
    private record Geo(Window.Resolved r, int n, int c, int h, int wd, int m, int kh, int kw, int oh, int ow) {
        int taps() {
            return kh * kw;
        }

        int plane() {
            return oh * ow;
        }
    }

    private Geo geo(Tensor x, Tensor wt) {
        Window.Resolved r = resolve(x.shape(), wt.shape());
        int[] xd = x.shape().dims();
        return new Geo(r, xd[0], xd[1], xd[2], xd[3], wt.shape().dim(0), r.kernel()[0], r.kernel()[1], r.out()[0], r.out()[1]);
    }

    /** One kernel tap of one channel at one output position: where it samples and where its offset / mask live. */
    private interface Tap {
        void at(int ch, int t, int p, double sh, double sw, int offH, int offW, int mk);
    }

    /** Visits every (channel, tap, output position) of batch row b; mk is -1 without a mask. */
    private void eachTap(Geo g, int b, boolean masked, float[] off, Tap tap) {
        int taps = g.taps();
        int plane = g.plane();
        int cpo = g.c / offsetGroup;
        Window.Resolved r = g.r;
        for (int ch = 0; ch < g.c; ch++) {
            int og = ch / cpo;
            for (int t = 0; t < taps; t++) {
                int offH = ((b * offsetGroup + og) * 2 * taps + 2 * t) * plane;
                int offW = offH + plane;
                int mk = masked ? ((b * offsetGroup + og) * taps + t) * plane : -1;
                for (int i = 0; i < g.oh; i++) {
                    for (int j = 0; j < g.ow; j++) {
                        int p = i * g.ow + j;
                        double sh = i * r.strides()[0] - r.padBegin()[0] + (t / g.kw) * r.dilations()[0] + off[offH + p];
                        double sw = j * r.strides()[1] - r.padBegin()[1] + (t % g.kw) * r.dilations()[1] + off[offW + p];
                        tap.at(ch, t, p, sh, sw, offH + p, offW + p, mk < 0 ? -1 : mk + p);
                    }
                }
            }
        }
    }

    /** The sampled (and masked) columns of batch row b: [C * taps, oH * oW]. */
    private float[] columns(Geo g, int b, float[] xv, float[] off, float[] mask) {
        float[] col = new float[g.c * g.taps() * g.plane()];
        eachTap(g, b, mask != null, off, (ch, t, p, sh, sw, offH, offW, mk) -> {
            double v = bilinear(xv, (b * g.c + ch) * g.h * g.wd, g.h, g.wd, sh, sw);
            col[(ch * g.taps() + t) * g.plane() + p] = (float) (mk < 0 ? v : v * mask[mk]);
        });
        return col;
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Geo g = geo(x, inputs[1]);
        int m = g.m;
        int taps = g.taps();
        int cpg = g.c / group;
        int mpg = m / group;
        float[] xv = f32(x);
        float[] w = f32(inputs[1]);
        float[] off = f32(inputs[2]);
        Tensor bias = opt(inputs, 3);
        Tensor maskT = opt(inputs, 4);
        float[] mask = maskT == null ? null : f32(maskT);
        int plane = g.plane();
        float[] y = new float[g.n * m * plane];
        for (int b = 0; b < g.n; b++) {
            float[] col = columns(g, b, xv, off, mask);
            for (int k = 0; k < group; k++) {
                Gemm.sgemm(false, false, mpg, plane, cpg * taps, 1f, w, k * mpg * cpg * taps, cpg * taps,
                        col, k * cpg * taps * plane, plane, 0f, y, (b * m + k * mpg) * plane, plane);
            }
        }
        if (bias != null) {
            float[] bv = f32(bias);
            for (int i = 0; i < y.length; i++) {
                y[i] += bv[(i / plane) % m];
            }
        }
        return new Tensor[] {out(x.dtype(), Shape.of(g.n, m, g.oh, g.ow), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    /**
     * Gradients for X, W, offset, B and mask: dW and the column gradient by GEMMs per group as
     * Conv, then each column entry flows back through its mask and its bilinear sample (to the
     * four corners of X and, by the sample's slope, to the offset).
     */
    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        if (gradOutputs[0] == null) {
            return new Tensor[inputs.length];
        }
        Tensor x = inputs[0];
        Geo g = geo(x, inputs[1]);
        int m = g.m;
        int taps = g.taps();
        int cpg = g.c / group;
        int mpg = m / group;
        int plane = g.plane();
        float[] xv = f32(x);
        float[] w = f32(inputs[1]);
        float[] off = f32(inputs[2]);
        Tensor maskT = opt(inputs, 4);
        float[] mask = maskT == null ? null : f32(maskT);
        float[] gy = f32(gradOutputs[0]);
        float[] dx = new float[xv.length];
        float[] dw = new float[w.length];
        float[] doff = new float[off.length];
        float[] dmask = mask == null ? null : new float[mask.length];
        float[] db = new float[m];
        float[] dcol = new float[g.c * taps * plane];
        double[] slope = new double[2];
        for (int b = 0; b < g.n; b++) {
            float[] col = columns(g, b, xv, off, mask);
            for (int k = 0; k < group; k++) {
                int gyOff = (b * m + k * mpg) * plane;
                Gemm.sgemm(false, true, mpg, cpg * taps, plane, 1f, gy, gyOff, plane, col, k * cpg * taps * plane, plane,
                        1f, dw, k * mpg * cpg * taps, cpg * taps);
                Gemm.sgemm(true, false, cpg * taps, plane, mpg, 1f, w, k * mpg * cpg * taps, cpg * taps, gy, gyOff, plane,
                        0f, dcol, k * cpg * taps * plane, plane);
            }
            for (int o = 0; o < m; o++) {
                for (int p = 0; p < plane; p++) {
                    db[o] += gy[(b * m + o) * plane + p];
                }
            }
            final int bb = b;
            eachTap(g, b, mask != null, off, (ch, t, p, sh, sw, offH, offW, mk) -> {
                double dc = dcol[(ch * taps + t) * plane + p];
                int planeOff = (bb * g.c + ch) * g.h * g.wd;
                if (mk >= 0) {
                    dmask[mk] += (float) (dc * bilinear(xv, planeOff, g.h, g.wd, sh, sw));
                    dc *= mask[mk];
                }
                bilinearBackward(xv, dx, planeOff, g.h, g.wd, sh, sw, dc, slope);
                doff[offH] += (float) (dc * slope[0]);
                doff[offW] += (float) (dc * slope[1]);
            });
        }
        return gradients(inputs, dx, dw, doff, db, dmask);
    }

    /**
     * Adjoint of {@link #bilinear}: adds g times each corner weight into dx, and writes the
     * sample's derivatives by h and w into slope.
     */
    private static void bilinearBackward(float[] x, float[] dx, int plane, int height, int width, double h, double w,
                                         double g, double[] slope) {
        slope[0] = 0;
        slope[1] = 0;
        if (h <= -1 || h >= height || w <= -1 || w >= width) {
            return;
        }
        int h0 = (int) Math.floor(h);
        int w0 = (int) Math.floor(w);
        double lh = h - h0;
        double lw = w - w0;
        for (int dh = 0; dh < 2; dh++) {
            for (int dw = 0; dw < 2; dw++) {
                int hh = h0 + dh;
                int ww = w0 + dw;
                if (hh >= 0 && hh < height && ww >= 0 && ww < width) {
                    double wh = dh == 0 ? 1 - lh : lh;
                    double wv = dw == 0 ? 1 - lw : lw;
                    double v = x[plane + hh * width + ww];
                    dx[plane + hh * width + ww] += (float) (g * wh * wv);
                    slope[0] += (dh == 0 ? -1 : 1) * wv * v;
                    slope[1] += (dw == 0 ? -1 : 1) * wh * v;
                }
            }
        }
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        if (elements(out.get(0)) == 0 || elements(in.get(1)) == 0) {
            return 0;
        }
        Shape w = in.get(1).shape();
        return out.get(0).shape().size() * (w.size() / w.dim(0));
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 3 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }
}
