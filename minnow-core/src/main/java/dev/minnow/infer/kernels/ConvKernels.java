package dev.minnow.infer.kernels;

import dev.minnow.graph.Node;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.graph.ops.nn.FusedConvOp;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.infer.spi.Layout;
import dev.minnow.kernels.Conv2d;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.ConvOptions;
import dev.minnow.kernels.NhwcConv;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Float 1-D and 2-D Conv and FusedConv (conv + clamp applied as outputs are stored), NCHW through
 * {@link Conv2d} with weights packed once, or with a channel-last input and/or output through
 * {@link NhwcConv} when the node sits in a chain.
 */
public final class ConvKernels implements KernelProvider {
    @Override
    public Kernel kernelFor(KernelRequest r) {
        Node n = r.node();
        ConvOp conv = n.op() instanceof FusedConvOp f ? f.conv() : n.op() instanceof ConvOp c ? c : null;
        if (conv == null || !r.isFloat(0) || r.inputType(0).shape().rank() > 4 || r.inputType(1) == null) {
            return null;
        }
        float lo = n.op() instanceof FusedConvOp f ? f.min() : Float.NEGATIVE_INFINITY;
        float hi = n.op() instanceof FusedConvOp f ? f.max() : Float.POSITIVE_INFINITY;
        boolean in = r.inputLayouts().get(0) == Layout.NHWC;
        boolean out = r.outputLayouts().get(0) == Layout.NHWC;
        if (in || out) {
            return new Nhwc(conv, in, out, n.op() instanceof FusedConvOp, lo, hi);
        }
        return new Nchw(conv, r.constant(1) != null, lo, hi, r.options().convOptions());
    }

    private static float[] bias(Tensor[] in) {
        return in.length > 2 && in[2] != null ? Floats.of(in[2]) : null;
    }

    /** NCHW conv; constant weights are packed on the first run (the packing depends on the geometry). */
    private static final class Nchw implements Kernel {
        private final ConvOp conv;
        private final boolean constantWeights;
        private final float lo;
        private final float hi;
        private final ConvOptions options;
        private Conv2d.PreparedWeights prepared;

        Nchw(ConvOp conv, boolean constantWeights, float lo, float hi, ConvOptions options) {
            this.conv = conv;
            this.constantWeights = constantWeights;
            this.lo = lo;
            this.hi = hi;
            this.options = options;
        }

        @Override
        public void run(Tensor[] in, float[] buffer, Tensor[] out) {
            Tensor x = in[0];
            Tensor w = in[1];
            ConvGeometry g = conv.geometry(x.shape(), w.shape());
            float[] y = Floats.target(buffer, g.outputSize());
            float[] wf = Floats.of(w);
            Conv2d.PreparedWeights pw = prepared;
            if ((pw == null || pw.w() != wf) && constantWeights && Conv2d.algorithmFor(g) != Conv2d.Algorithm.DEPTHWISE) {
                pw = Conv2d.prepare(g, wf, options);
                prepared = pw;
            }
            Conv2d.forward(g, Floats.of(x), wf, bias(in), y, pw, lo, hi);
            Shape s = x.shape().rank() == 3 ? Shape.of(g.batch(), g.outChannels(), g.outW())
                    : Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW());
            out[0] = Tensor.wrap(DType.FLOAT32, s, y);
        }

        @Override
        public boolean plansOutput() {
            return true;
        }

        @Override
        public boolean freshOutputs() {
            return true;
        }
    }

    /** A conv of a channel-last chain: NHWC tensors have NHWC shapes; the geometry is the logical NCHW one. */
    private static final class Nhwc implements Kernel {
        private final ConvOp conv;
        private final boolean in;
        private final boolean out;
        private final boolean clamp;
        private final float lo;
        private final float hi;
        private NhwcConv.Prepared prepared;

        Nhwc(ConvOp conv, boolean in, boolean out, boolean clamp, float lo, float hi) {
            this.conv = conv;
            this.in = in;
            this.out = out;
            this.clamp = clamp;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public void run(Tensor[] inputs, float[] buffer, Tensor[] outputs) {
            Tensor x = inputs[0];
            Shape xs = in ? Layouts.nchwShape(x.shape()) : x.shape();
            ConvGeometry g = conv.geometry(xs, inputs[1].shape());
            float[] y = Floats.target(buffer, g.outputSize());
            float[] wf = Floats.of(inputs[1]);
            NhwcConv.Prepared p = prepared;
            if (p == null || p.w() != wf) {
                p = NhwcConv.prepare(g, wf, in, out); // constant weights: repacked once
                prepared = p;
            }
            NhwcConv.forward(g, Floats.of(x), in, p, bias(inputs), clamp, lo, hi, y, out);
            outputs[0] = Tensor.wrap(DType.FLOAT32, out ? Shape.of(g.batch(), g.outH(), g.outW(), g.outChannels())
                    : Shape.of(g.batch(), g.outChannels(), g.outH(), g.outW()), y);
        }

        @Override
        public boolean plansOutput() {
            return true;
        }

        @Override
        public boolean freshOutputs() {
            return true;
        }
    }
}
