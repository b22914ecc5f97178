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
import java.util.Arrays;
import java.util.List;

/**
 * ONNX ConvTranspose (opset 11+): X [N, C, (H,) W], W [C, M/group, (kH,) kW], optional B [M].
 * Output size per axis: stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - padBegin - padEnd,
 * or output_shape with the pads derived from it (SAME_UPPER puts the smaller half first, any other
 * auto_pad the larger), or in * stride for auto_pad SAME_*. Computed as the input gradient of the
 * Conv that maps Y back to X, so it shares the Conv kernels. 1-D runs as 2-D, 3-D as 2-D per depth tap.
 * MACs = N * C * inSpatial * (M/group) * kernelSize (each input element meets every tap once).
 */
public final class ConvTransposeOp extends NnOp {
    private final Window window;
    private final int group;
    private final int[] outputPadding;
    private final int[] outputShape;

    public ConvTransposeOp(Attributes attrs) {
        super("ConvTranspose", attrs);
        this.window = new Window(type, this.attrs);
        long g = this.attrs.getInt("group", 1);
        if (g < 1) {
            throw unsupported("group", g, "an integer >= 1");
        }
        this.group = (int) g;
        this.outputPadding = this.attrs.getIntsAsInt("output_padding", null);
        this.outputShape = this.attrs.getIntsAsInt("output_shape", null);
    }

    /** {outSpatial, padBegin, padEnd, kernel, strides, dilations} for the spatial dims of X and W. */
    private record Plan(int[] in, int[] out, int[] padBegin, int[] padEnd, int[] kernel, int[] strides, int[] dilations) {
    }

    private Plan plan(Shape x, Shape w) {
        int r = x.rank() - 2;
        if (r < 1) {
            throw new ShapeException(type + ": X must be [N, C, D1...], got " + x);
        }
        if (r > 3) {
            throw new UnsupportedOpException(type + ": " + r + "-D transposed convolution (input " + x
                    + ") is not supported; Minnow runs 1-D, 2-D and 3-D");
        }
        int[] in = Arrays.copyOfRange(x.dims(), 2, x.rank());
        int[] kw = Arrays.copyOfRange(w.dims(), 2, w.rank());
        int[] k = window.kernel != null ? window.kernel : kw;
        if (k.length != r) {
            throw new ShapeException(type + ": kernel_shape " + Arrays.toString(k) + " needs " + r + " values");
        }
        int[] s = window.strides(r);
        int[] d = window.dilations(r);
        int[] op = outputPadding == null ? new int[r] : outputPadding;
        if (op.length != r) {
            throw new ShapeException(type + ": output_padding " + Arrays.toString(op) + " needs " + r + " values");
        }
        int[][] pads = window.explicitPads(r);
        int[] pb = pads[0];
        int[] pe = pads[1];
        int[] out = new int[r];
        int[] target = outputShape == null ? null
                : Arrays.copyOfRange(outputShape, Math.max(0, outputShape.length - r), outputShape.length);
        for (int i = 0; i < r; i++) {
            int ext = (k[i] - 1) * d[i] + 1;
            if (in[i] < 0) {
                out[i] = -1;
                continue;
            }
            int full = s[i] * (in[i] - 1) + op[i] + ext;
            int want = -1;
            if (target != null) {
                want = target[i];
            } else if (window.autoPad.startsWith("SAME")) {
                want = in[i] * s[i];
            } else if (window.autoPad.equals("VALID")) {
                pb[i] = 0;
                pe[i] = 0;
            }
            if (want >= 0) {
                // a negative total (output larger than the kernel reaches) leaves zeros at the end
                int total = full - want;
                int half = Math.floorDiv(total, 2);
                pb[i] = window.autoPad.equals("SAME_UPPER") ? half : total - half;
                pe[i] = total - pb[i];
                if (pb[i] < 0) {
                    throw new ShapeException(type + ": output size " + want + " is larger than the " + full
                            + " this input, kernel and stride can produce");
                }
            }
            out[i] = full - pb[i] - pe[i];
            pe[i] = Math.max(0, pe[i]);
            if (out[i] <= 0) {
                throw new ShapeException(type + ": pads " + pb[i] + "+" + pe[i] + " leave no output along axis " + i);
            }
        }
        return new Plan(in, out, pb, pe, k, s, d);
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in, List<Tensor> constants) {
        TensorType x = required(in, 0, "X");
        TensorType w = required(in, 1, "W");
        requireFloating(x, "X");
        if (w.shape().rank() != x.shape().rank()) {
            throw new ShapeException(type + ": W " + w.shape() + " must have the rank of X " + x.shape());
        }
        int c = x.shape().dim(1);
        if (c >= 0 && w.shape().dim(0) >= 0 && c != w.shape().dim(0)) {
            throw new ShapeException(type + ": X has " + c + " channels but W " + w.shape() + " expects " + w.shape().dim(0));
        }
        if (c >= 0 && c % group != 0) {
            throw new ShapeException(type + ": " + c + " input channels are not divisible by group " + group);
        }
        Plan p = plan(x.shape(), w.shape());
        int[] d = new int[x.shape().rank()];
        d[0] = x.shape().dim(0);
        d[1] = w.shape().dim(1) < 0 ? -1 : w.shape().dim(1) * group;
        System.arraycopy(p.out(), 0, d, 2, p.out().length);
        return List.of(new TensorType(x.dtype(), Shape.of(d)));
    }

    /** The Conv from Y-space (inChannels M) to X-space (outChannels C) whose input gradient this op is. */
    /** The Conv's 2-D geometry over the last two spatial axes (1-D as height 1). */
    private ConvGeometry geometry(Plan p, Shape x, Shape w) {
        int m = w.dim(1) * group;
        if (p.in().length == 1) {
            return new ConvGeometry(x.dim(0), m, 1, p.out()[0], x.dim(1), 1, p.in()[0], 1, p.kernel()[0], 1,
                    p.strides()[0], 0, p.padBegin()[0], 0, p.padEnd()[0], 1, p.dilations()[0], group);
        }
        int h = p.in().length - 2;
        int v = h + 1;
        return new ConvGeometry(x.dim(0), m, p.out()[h], p.out()[v], x.dim(1), p.in()[h], p.in()[v],
                p.kernel()[h], p.kernel()[v], p.strides()[h], p.strides()[v], p.padBegin()[h], p.padBegin()[v],
                p.padEnd()[h], p.padEnd()[v], p.dilations()[h], p.dilations()[v], group);
    }

    /** For 3-D: the depth axis of the Conv from Y-space to X-space, else null. */
    private static Conv3d.Depth depth(Plan p) {
        return p.in().length != 3 ? null
                : new Conv3d.Depth(p.out()[0], p.in()[0], p.kernel()[0], p.strides()[0], p.padBegin()[0], p.dilations()[0]);
    }

    @Override
    public Tensor[] forward(OpContext ctx, Tensor[] inputs) {
        Tensor x = inputs[0];
        Tensor w = inputs[1];
        Tensor b = opt(inputs, 2);
        Plan p = plan(x.shape(), w.shape());
        ConvGeometry g = geometry(p, x.shape(), w.shape());
        Conv3d.Depth d = depth(p);
        int outDepth = d == null ? 1 : d.inD();
        float[] y = new float[g.inputSize() * outDepth];
        if (d == null) {
            Conv2d.backwardInput(g, f32(x), f32(w), y);
        } else {
            Conv3d.backwardInput(g, d, f32(x), f32(w), y);
        }
        if (b != null) {
            float[] bv = f32(b);
            int plane = g.inH() * g.inW() * outDepth;
            for (int i = 0; i < y.length; i++) {
                y[i] += bv[(i / plane) % g.inChannels()];
            }
        }
        int[] dims = new int[x.shape().rank()];
        dims[0] = g.batch();
        dims[1] = g.inChannels();
        System.arraycopy(p.out(), 0, dims, 2, p.out().length);
        return new Tensor[] {out(x.dtype(), Shape.of(dims), y)};
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
        Plan p = plan(x.shape(), w.shape());
        ConvGeometry g = geometry(p, x.shape(), w.shape());
        Conv3d.Depth d = depth(p);
        float[] dy = f32(gradOutputs[0]);
        float[] dx = new float[x.size()];
        float[] dw = new float[w.size()];
        if (d == null) {
            Conv2d.forward(g, dy, f32(w), null, dx);
            Conv2d.backwardWeight(g, dy, f32(x), dw, null);
        } else {
            Conv3d.forward(g, d, dy, f32(w), null, dx);
            Conv3d.backwardWeight(g, d, dy, f32(x), dw, null);
        }
        float[] db = null;
        if (b != null) {
            db = new float[g.inChannels()];
            int plane = g.inH() * g.inW() * (d == null ? 1 : d.inD());
            for (int i = 0; i < dy.length; i++) {
                db[(i / plane) % g.inChannels()] += dy[i];
            }
        }
        return gradients(inputs, dx, dw, db);
    }

    @Override
    public long macs(List<TensorType> in, List<TensorType> out) {
        if (elements(in.get(0)) == 0 || elements(in.get(1)) == 0) {
            return 0;
        }
        Shape w = in.get(1).shape();
        return in.get(0).shape().size() * (w.size() / w.dim(0));
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
