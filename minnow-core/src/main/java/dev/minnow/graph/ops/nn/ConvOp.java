package dev.minnow.graph.ops.nn;

import dev.minnow.errors.ShapeException;
import dev.minnow.errors.UnsupportedOpException;
import dev.minnow.graph.Attributes;
import dev.minnow.graph.InputRole;
import dev.minnow.graph.OpContext;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.NnOp;
import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.Conv3d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * ONNX Conv (opset 11+): X [N, C, (D,) (H,) W], W [M, C/group, (kD,) (kH,) kW], optional B [M].
 * Attributes kernel_shape (default from W), strides, pads, dilations, group (group = C gives
 * depthwise), auto_pad. 1-D convolution runs as 2-D with height 1, 3-D as 2-D convolutions per
 * depth tap ({@link Conv3d}).
 * MACs = N * M * outSpatial * (C/group) * kernelSize.
 */
public final class ConvOp extends NnOp {
    private final Window window;
    private final int group;

    public ConvOp(Attributes attrs) {
        this("Conv", attrs);
    }

    /** A Conv's geometry under another op's name (the integer convolutions share it). */
    public ConvOp(String type, Attributes attrs) {
        super(type, attrs);
        this.window = new Window(type, this.attrs);
        long g = this.attrs.getInt("group", 1);
        if (g < 1) {
            throw unsupported("group", g, "an integer >= 1");
        }
        this.group = (int) g;
    }

    private int[] spatial(Shape s) {
        int r = s.rank() - 2;
        if (r < 1) {
            throw new ShapeException(type + ": X must be [N, C, D1...], got " + s);
        }
        if (r > 3) {
            throw new UnsupportedOpException(type + ": " + r + "-D convolution (input " + s
                    + ") is not supported; Minnow runs 1-D, 2-D and 3-D convolutions");
        }
        int[] d = new int[r];
        for (int i = 0; i < r; i++) {
            d[i] = s.dim(i + 2);
        }
        return d;
    }

    private Window.Resolved resolve(Shape x, Shape w) {
        return window.resolve(spatial(x), spatial(w));
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        TensorType w = required(in, 1, "W");
        requireFloating(x, "X");
        TensorType b = opt(in, 2);
        return List.of(new TensorType(x.dtype(), outputShape(x.shape(), w.shape(), b == null ? null : b.shape())));
    }

    /** Output shape for X, W and optional bias shapes (also used by the integer convolutions). */
    public Shape outputShape(Shape x, Shape w, Shape b) {
        if (w.rank() != x.rank() || x.rank() < 3) {
            throw new ShapeException(type + ": W " + w + " must have the rank of X " + x + ", at least 3 (N, C, spatial)");
        }
        int c = x.dim(1);
        int m = w.dim(0);
        if (c >= 0 && w.dim(1) >= 0 && c != w.dim(1) * group) {
            throw new ShapeException(type + ": X has " + c + " channels but W " + w + " with group " + group
                    + " expects " + w.dim(1) * group);
        }
        if (m >= 0 && m % group != 0) {
            throw new ShapeException(type + ": " + m + " output channels are not divisible by group " + group);
        }
        if (b != null && (b.rank() != 1 || (m >= 0 && b.dim(0) >= 0 && b.dim(0) != m))) {
            throw new ShapeException(type + ": bias B " + b + " must be [" + m + "]");
        }
        Window.Resolved r = resolve(x, w);
        int[] d = new int[x.rank()];
        d[0] = x.dim(0);
        d[1] = m;
        System.arraycopy(r.out(), 0, d, 2, r.out().length);
        return Shape.of(d);
    }

    /**
     * The kernel geometry for input shape x and weight shape w (used by the inference executor and
     * the integer convolutions); 1-D and 2-D only, a 3-D Conv runs through {@link #forward}.
     */
    public ConvGeometry geometry(Shape x, Shape w) {
        Window.Resolved r = resolve(x, w);
        if (r.rank() == 3) {
            throw new UnsupportedOpException(type + ": 3-D convolution (input " + x + ") has no 2-D kernel geometry; "
                    + "only Conv runs it, through depth slices");
        }
        return plane(r, x, w);
    }

    /** The 2-D geometry of the last two spatial axes (1-D as height 1). */
    private ConvGeometry plane(Window.Resolved r, Shape x, Shape w) {
        if (r.rank() == 1) {
            return new ConvGeometry(x.dim(0), x.dim(1), 1, r.in()[0], w.dim(0), 1, r.out()[0], 1, r.kernel()[0],
                    1, r.strides()[0], 0, r.padBegin()[0], 0, r.padEnd()[0], 1, r.dilations()[0], group);
        }
        int h = r.rank() - 2;
        int v = h + 1;
        return new ConvGeometry(x.dim(0), x.dim(1), r.in()[h], r.in()[v], w.dim(0), r.out()[h], r.out()[v],
                r.kernel()[h], r.kernel()[v], r.strides()[h], r.strides()[v], r.padBegin()[h], r.padBegin()[v],
                r.padEnd()[h], r.padEnd()[v], r.dilations()[h], r.dilations()[v], group);
    }

    /** The depth axis of a 3-D convolution. */
    private static Conv3d.Depth depth(Window.Resolved r) {
        return new Conv3d.Depth(r.in()[0], r.out()[0], r.kernel()[0], r.strides()[0], r.padBegin()[0], r.dilations()[0]);
    }

    public Shape outShape(Shape x, ConvGeometry g) {
        return x.rank() == 3 ? Shape.of(g.batch(), g.outChannels(), g.outW())
                : Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW());
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = opt(inputs, 2);
        Window.Resolved r = resolve(x.shape(), w.shape());
        ConvGeometry g = plane(r, x.shape(), w.shape());
        float[] bias = b == null ? null : f32(b);
        if (r.rank() == 3) {
            Conv3d.Depth d = depth(r);
            float[] y = new float[g.outputSize() * d.outD()];
            Conv3d.forward(g, d, f32(x), f32(w), bias, y);
            return new Tensor[] {out(x.dtype(), Shape.of(g.batch(), g.outChannels(), d.outD(), g.outH(), g.outW()), y)};
        }
        float[] y = new float[g.outputSize()];
        Conv2d.forward(g, f32(x), f32(w), bias, y);
        return new Tensor[] {out(x.dtype(), outShape(x.shape(), g), y)};
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public Tensor[] backward(OpContext ctx, Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = opt(inputs, 2);
        Window.Resolved r = resolve(x.shape(), w.shape());
        ConvGeometry g = plane(r, x.shape(), w.shape());
        float[] dy = f32(gradOutputs[0]);
        float[] dx = new float[x.size()];
        float[] dw = new float[w.size()];
        float[] db = b == null ? null : new float[g.outChannels()];
        if (r.rank() == 3) {
            Conv3d.backwardInput(g, depth(r), dy, f32(w), dx);
            Conv3d.backwardWeight(g, depth(r), f32(x), dy, dw, db);
        } else {
            Conv2d.backwardInput(g, dy, f32(w), dx);
            Conv2d.backwardWeight(g, f32(x), dy, dw, db);
        }
        return gradients(inputs, dx, dw, db);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        Shape y = out.get(0).shape();
        Shape w = in.get(1).shape();
        return elements(out.get(0)) == 0 ? 0 : y.size() * (w.size() / w.dim(0));
    }

    @Override
    public InputRole inputRole(int index) {
        return switch (index) {
            case 1 -> InputRole.WEIGHT;
            case 2 -> InputRole.BIAS;
            default -> InputRole.DATA;
        };
    }
}
