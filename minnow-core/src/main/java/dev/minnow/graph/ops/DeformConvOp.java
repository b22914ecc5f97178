package dev.minnow.graph.ops;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.kernels.Gemm;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX DeformConv (opset 19, 2-D, forward only): X [N, C, H, W], W [M, C/group, kH, kW],
 * offset [N, offset_group * 2 * kH * kW, oH, oW] ((dh, dw) per kernel tap), optional B [M] and
 * mask [N, offset_group * kH * kW, oH, oW]. Each tap samples X bilinearly (0 outside) at its
 * regular position plus the offset, times the mask; the samples are gathered column-wise and
 * multiplied by W with one GEMM per group. MACs as Conv.
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

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor wt = inputs[1];
        Window.Resolved r = resolve(x.shape(), wt.shape());
        int n = x.shape().dim(0);
        int c = x.shape().dim(1);
        int h = x.shape().dim(2);
        int wd = x.shape().dim(3);
        int m = wt.shape().dim(0);
        int kh = r.kernel()[0];
        int kw = r.kernel()[1];
        int oh = r.out()[0];
        int ow = r.out()[1];
        int taps = kh * kw;
        int cpg = c / group;
        int mpg = m / group;
        int cpo = c / offsetGroup;
        float[] xv = f32(x);
        float[] w = f32(wt);
        float[] off = f32(inputs[2]);
        Tensor bias = opt(inputs, 3);
        Tensor maskT = opt(inputs, 4);
        float[] mask = maskT == null ? null : f32(maskT);
        int plane = oh * ow;
        float[] col = new float[c * taps * plane];
        float[] y = new float[n * m * plane];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                int og = ch / cpo;
                for (int t = 0; t < taps; t++) {
                    int offH = ((b * offsetGroup + og) * 2 * taps + 2 * t) * plane;
                    int offW = offH + plane;
                    int mk = mask == null ? -1 : ((b * offsetGroup + og) * taps + t) * plane;
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            int p = i * ow + j;
                            double sh = i * r.strides()[0] - r.padBegin()[0] + (t / kw) * r.dilations()[0] + off[offH + p];
                            double sw = j * r.strides()[1] - r.padBegin()[1] + (t % kw) * r.dilations()[1] + off[offW + p];
                            double v = bilinear(xv, (b * c + ch) * h * wd, h, wd, sh, sw);
                            col[(ch * taps + t) * plane + p] = (float) (mask == null ? v : v * mask[mk + p]);
                        }
                    }
                }
            }
            for (int g = 0; g < group; g++) {
                Gemm.sgemm(false, false, mpg, plane, cpg * taps, 1f, w, g * mpg * cpg * taps, cpg * taps,
                        col, g * cpg * taps * plane, plane, 0f, y, (b * m + g * mpg) * plane, plane);
            }
        }
        if (bias != null) {
            float[] bv = f32(bias);
            for (int i = 0; i < y.length; i++) {
                y[i] += bv[(i / plane) % m];
            }
        }
        return new Tensor[] {out(x.dtype(), Shape.of(n, m, oh, ow), y)};
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        if (elements(out.get(0)) == 0 || elements(in.get(1)) == 0) {
            return 0;
        }
        Shape w = in.get(1).shape();
        return out.get(0).shape().size() * (w.size() / w.dim(0));
    }
}
