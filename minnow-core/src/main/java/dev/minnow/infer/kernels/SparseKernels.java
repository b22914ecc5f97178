package dev.minnow.infer.kernels;

import dev.minnow.errors.ShapeException;
import dev.minnow.graph.Node;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.graph.ops.nn.FusedConvOp;
import dev.minnow.graph.ops.nn.GemmOp;
import dev.minnow.graph.ops.nn.MatMulOp;
import dev.minnow.infer.SparseMode;
import dev.minnow.infer.spi.Kernel;
import dev.minnow.infer.spi.KernelProvider;
import dev.minnow.infer.spi.KernelRequest;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.CsrMatrix;
import dev.minnow.kernels.Gemm;
import dev.minnow.kernels.SparseConv;
import dev.minnow.kernels.SparseGemm;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;

/**
 * Sparse kernels for layers whose weights are constant and sparse: Gemm (transA = 0, bias absent
 * or one value per output) and MatMul with a constant 2-D right operand through
 * {@link SparseGemm#fullyConnected}; float Conv and FusedConv (1-D and 2-D, NCHW) through
 * {@link SparseConv}. Asked before the built-in dense providers.
 * <p>
 * With {@link SparseMode#AUTO} a node is claimed when its weight's sparsity reaches the lowest
 * crossover of its kind ({@link SparseCrossover}); the kernel then decides per run, from the
 * actual number of activation rows, whether the sparse or the dense form runs (a fully connected
 * layer crosses over at a lower sparsity for one image than for a batch). ON runs every eligible
 * node sparse; OFF claims nothing.
 */
public final class SparseKernels implements KernelProvider {
    /** Before the built-in providers (priority 0), which would otherwise run these nodes dense. */
    @Override
    public int priority() {
        return 5;
    }

    /** A kernel of this provider: which form it runs for a given shape. */
    public interface SparseKernel extends Kernel {
        /** Fraction of zeros in the node's weight. */
        double weightSparsity();

        /** The layer's kind for a run with this many activation rows (the batch, for a fully connected layer). */
        SparseCrossover.Kind kind(int rows);

        /** Whether a run with this many activation rows takes the sparse form. */
        boolean runsSparse(int rows);
    }

    @Override
    public Kernel kernelFor(KernelRequest r) {
        SparseMode mode = r.options().sparse();
        if (mode == SparseMode.OFF || r.channelLast() || !r.isFloat(0) || !r.isFloat(1) || r.constant(1) == null) {
            return null;
        }
        Node n = r.node();
        if (n.op() instanceof GemmOp) {
            return gemm(r, mode);
        }
        if (n.op() instanceof MatMulOp && n.opType().equals("MatMul")) {
            return matMul(r, mode);
        }
        ConvOp conv = n.op() instanceof FusedConvOp f ? f.conv() : n.op() instanceof ConvOp c && n.opType().equals("Conv") ? c : null;
        return conv != null ? conv(r, conv, mode) : null;
    }

    private static boolean worthIt(SparseMode mode, double sparsity, SparseCrossover.Kind... kinds) {
        if (mode == SparseMode.ON) {
            return true;
        }
        for (SparseCrossover.Kind k : kinds) {
            if (SparseCrossover.sparseFaster(k, sparsity)) {
                return true;
            }
        }
        return false;
    }

    private static Kernel gemm(KernelRequest r, SparseMode mode) {
        Node n = r.node();
        if (n.attributes().getInt("transA", 0) != 0 || r.inputType(0).shape().rank() != 2) {
            return null;
        }
        boolean transB = n.attributes().getInt("transB", 0) == 1;
        float alpha = (float) n.attributes().getFloat("alpha", 1.0);
        float beta = (float) n.attributes().getFloat("beta", 1.0);
        Tensor b = r.constant(1);
        if (b.shape().rank() != 2) {
            return null;
        }
        int k = transB ? b.shape().dim(1) : b.shape().dim(0);
        int outs = transB ? b.shape().dim(0) : b.shape().dim(1);
        float[] bias = null;
        if (r.inputType(2) != null) {
            Tensor c = r.constant(2);
            if (c == null || !r.isFloat(2) || !rowBias(c.shape(), outs)) {
                return null; // C computed, or not one value per output: the op handles the broadcast
            }
            float[] cv = Floats.of(c);
            bias = new float[outs];
            for (int j = 0; j < outs; j++) {
                bias[j] = beta * cv[cv.length == 1 ? 0 : j];
            }
        }
        float[] bv = Floats.of(b);
        double sparsity = CsrMatrix.zeroFraction(bv);
        if (!worthIt(mode, sparsity, SparseCrossover.Kind.FC_ONE_ROW, SparseCrossover.Kind.FC_BATCH)) {
            return null;
        }
        CsrMatrix w = transB ? CsrMatrix.of(bv, 0, outs, k, alpha) : CsrMatrix.ofTransposed(bv, 0, k, outs, alpha);
        return new FullyConnected(w, bv, transB, alpha, bias, sparsity, mode, false);
    }

    /** C of shape [], [1], [N] or [1, N] (with N = outs): one bias value per output, or one for all. */
    private static boolean rowBias(Shape c, int outs) {
        long size = c.size();
        return c.rank() <= 2 && (size == 1 || size == outs && c.dim(-1) == outs);
    }

    private static Kernel matMul(KernelRequest r, SparseMode mode) {
        Tensor b = r.constant(1);
        if (b.shape().rank() != 2 || r.inputType(0).shape().rank() < 2) {
            return null;
        }
        float[] bv = Floats.of(b);
        double sparsity = CsrMatrix.zeroFraction(bv);
        if (!worthIt(mode, sparsity, SparseCrossover.Kind.FC_ONE_ROW, SparseCrossover.Kind.FC_BATCH)) {
            return null;
        }
        CsrMatrix w = CsrMatrix.ofTransposed(bv, 0, b.shape().dim(0), b.shape().dim(1), 1f);
        return new FullyConnected(w, bv, false, 1f, null, sparsity, mode, true);
    }

    private static Kernel conv(KernelRequest r, ConvOp conv, SparseMode mode) {
        Shape xs = r.inputType(0).shape();
        Shape ws = r.constant(1).shape();
        if (xs.rank() < 3 || xs.rank() > 4 || ws.rank() != xs.rank()) {
            return null;
        }
        for (int d = 1; d < xs.rank(); d++) {
            if (xs.dim(d) < 0) {
                return null; // the kind (and so the rule) depends on the geometry
            }
        }
        int[] dims = xs.dims();
        dims[0] = 1;
        ConvGeometry g = conv.geometry(Shape.of(dims), ws);
        if (mode == SparseMode.AUTO && g.inChannelsPerGroup() == 1 && g.groups() > 1) {
            return null; // depthwise: a handful of taps per filter, the plane kernels are the fast form
        }
        float[] wv = Floats.of(r.constant(1));
        double sparsity = CsrMatrix.zeroFraction(wv);
        if (!worthIt(mode, sparsity, SparseCrossover.conv(g))) {
            return null;
        }
        Kernel dense = new ConvKernels().kernelFor(r);
        if (dense == null) {
            return null;
        }
        float lo = r.node().op() instanceof FusedConvOp f ? f.min() : Float.NEGATIVE_INFINITY;
        float hi = r.node().op() instanceof FusedConvOp f ? f.max() : Float.POSITIVE_INFINITY;
        return new Conv(conv, SparseCrossover.conv(g), wv, sparsity, mode, dense, lo, hi);
    }

    /** Gemm or MatMul: x [rows, K] (MatMul: [..., rows, K]) times the sparse weight. */
    private static final class FullyConnected implements SparseKernel {
        private final CsrMatrix w;
        private final float[] dense;
        private final boolean transB;
        private final float alpha;
        private final float[] bias;
        private final double sparsity;
        private final SparseMode mode;
        private final boolean matMul;

        FullyConnected(CsrMatrix w, float[] dense, boolean transB, float alpha, float[] bias, double sparsity,
                       SparseMode mode, boolean matMul) {
            this.w = w;
            this.dense = dense;
            this.transB = transB;
            this.alpha = alpha;
            this.bias = bias;
            this.sparsity = sparsity;
            this.mode = mode;
            this.matMul = matMul;
        }

        private String opName() {
            return matMul ? "MatMul" : "Gemm";
        }

        @Override
        public double weightSparsity() {
            return sparsity;
        }

        @Override
        public SparseCrossover.Kind kind(int rows) {
            return SparseCrossover.fullyConnected(rows);
        }

        @Override
        public boolean runsSparse(int rows) {
            return mode == SparseMode.ON || SparseCrossover.sparseFaster(kind(rows), sparsity);
        }

        @Override
        public void run(Tensor[] in, float[] buffer, Tensor[] out) {
            Tensor x = in[0];
            int k = w.cols();
            int outs = w.rows();
            int[] dims = x.shape().dims();
            if (dims[dims.length - 1] != k) {
                throw new ShapeException(opName() + ": input " + x.shape() + " does not have the weight's " + k
                        + " input features in its last dimension");
            }
            int rows = 1;
            for (int d = 0; d < dims.length - 1; d++) {
                rows *= dims[d];
            }
            float[] y = Floats.target(buffer, rows * outs);
            float[] xv = Floats.of(x);
            if (runsSparse(rows)) {
                SparseGemm.fullyConnected(w, xv, 0, rows, bias, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, y, 0);
            } else {
                Gemm.sgemm(false, transB, rows, outs, k, alpha, xv, 0, k, dense, 0, transB ? k : outs, 0f, y, 0, outs);
                if (bias != null) {
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0; j < outs; j++) {
                            y[i * outs + j] += bias[j];
                        }
                    }
                }
            }
            dims[dims.length - 1] = outs;
            out[0] = Tensor.wrap(DType.FLOAT32, Shape.of(dims), y);
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

    /** Conv / FusedConv with sparse constant filters; the built-in dense kernel when the rule says dense. */
    private static final class Conv implements SparseKernel {
        private final ConvOp conv;
        private final float[] w;
        private final double sparsity;
        private final SparseMode mode;
        private final Kernel dense;
        private final float lo;
        private final float hi;
        private final SparseCrossover.Kind kind;
        private SparseConv.Prepared prepared;

        Conv(ConvOp conv, SparseCrossover.Kind kind, float[] w, double sparsity, SparseMode mode, Kernel dense, float lo, float hi) {
            this.conv = conv;
            this.kind = kind;
            this.w = w;
            this.sparsity = sparsity;
            this.mode = mode;
            this.dense = dense;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public double weightSparsity() {
            return sparsity;
        }

        /** A convolution's crossover does not depend on the batch: its columns are output positions. */
        @Override
        public SparseCrossover.Kind kind(int rows) {
            return kind;
        }

        @Override
        public boolean runsSparse(int rows) {
            return mode == SparseMode.ON || SparseCrossover.sparseFaster(kind, sparsity);
        }

        @Override
        public void run(Tensor[] in, float[] buffer, Tensor[] out) {
            Tensor x = in[0];
            ConvGeometry g = conv.geometry(x.shape(), in[1].shape());
            if (!(mode == SparseMode.ON || SparseCrossover.sparseFaster(SparseCrossover.conv(g), sparsity))) {
                dense.run(in, buffer, out);
                return;
            }
            SparseConv.Prepared p = prepared;
            if (p == null || !p.fits(g)) {
                p = SparseConv.prepare(g, w); // constant filters: once per input size
                prepared = p;
            }
            float[] y = Floats.target(buffer, g.outputSize());
            float[] bias = in.length > 2 && in[2] != null ? Floats.of(in[2]) : null;
            SparseConv.forward(g, Floats.of(x), p, bias, lo, hi, y);
            out[0] = Tensor.wrap(DType.FLOAT32, conv.outShape(x.shape(), g), y);
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
