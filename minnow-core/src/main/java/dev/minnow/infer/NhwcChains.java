package dev.minnow.infer;

import dev.minnow.graph.Graph;
import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.nn.ConvOp;
import dev.minnow.graph.ops.nn.FusedConvOp;
import dev.minnow.kernels.ConvGeometry;
import dev.minnow.kernels.NhwcConv;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the chains 1x1 Conv -> depthwise Conv (multiplier 1) -> 1x1 Conv (MobileNet's inverted
 * residual blocks; each conv possibly fused with its activation) that run channel-last between
 * the two 1x1 convolutions: the first writes NHWC (its GEMM computes Y^T), the depthwise conv
 * reads and writes NHWC, the last reads NHWC (its GEMM reads X transposed). The first may also be
 * a one-group conv that runs through im2col (MobileNetV2's 3x3 stride-2 stem). A chain qualifies
 * only when both intermediate values have that one reader (as its data input), are no graph
 * output and have static 4-D shapes (batch aside), so NHWC data never reaches another node or
 * the caller. The result is the set of values stored NHWC; their tensors have NHWC shapes.
 */
public final class NhwcChains {
    private NhwcChains() {
    }

    /** The names of the values that chains hold channel-last (empty when nothing qualifies). */
    public static Set<String> find(Graph g) {
        GraphEditor e = new GraphEditor(g);
        Set<String> nhwc = new HashSet<>();
        for (Node dw : g.nodes()) {
            if (!fits(g, dw, Role.DEPTHWISE)) {
                continue;
            }
            Node before = e.producer(dw.input(0));
            List<Node> readers = e.readers(dw.output(0));
            Node after = readers.size() == 1 ? readers.get(0) : null;
            if (before == null || after == null || !e.soleUse(dw.input(0), dw, 0) || !e.soleUse(dw.output(0), after, 0)
                    || !fits(g, before, Role.BEFORE) || !fits(g, after, Role.AFTER)) {
                continue;
            }
            nhwc.add(dw.input(0));
            nhwc.add(dw.output(0));
        }
        return nhwc;
    }

    /** A conv's place in a chain. */
    private enum Role {
        /** Reads NCHW, writes NHWC: a 1x1 conv, or a one-group conv through im2col. */
        BEFORE,
        /** Multiplier-1 depthwise conv, NHWC in and out. */
        DEPTHWISE,
        /** Reads NHWC, writes NCHW: a 1x1 conv. */
        AFTER
    }

    /** The convolution of a float 2-D Conv or FusedConv node, else null. */
    private static ConvOp conv(Graph g, Node n) {
        ConvOp c = n.op() instanceof FusedConvOp f ? f.conv() : n.op() instanceof ConvOp o ? o : null;
        TensorType x = g.type(n.input(0));
        return c != null && x != null && x.dtype() == DType.FLOAT32 && x.shape().rank() == 4 ? c : null;
    }

    /** Whether node is a conv with static shapes that fit the NHWC kernel of its role. */
    private static boolean fits(Graph g, Node n, Role role) {
        ConvOp conv = conv(g, n);
        TensorType wt = g.type(n.input(1));
        if (conv == null || wt == null || wt.shape().rank() != 4) {
            return false;
        }
        int[] x = g.type(n.input(0)).shape().dims();
        x[0] = 1;
        for (int v : x) {
            if (v < 1) {
                return false;
            }
        }
        for (int v : wt.shape().dims()) {
            if (v < 1) {
                return false;
            }
        }
        ConvGeometry geo = conv.geometry(Shape.of(x), wt.shape());
        return switch (role) {
            case BEFORE -> NhwcConv.pointwiseFits(geo) || NhwcConv.loweredFits(geo);
            case DEPTHWISE -> NhwcConv.depthwiseFits(geo) && !NhwcConv.pointwiseFits(geo);
            case AFTER -> NhwcConv.pointwiseFits(geo);
        };
    }
}
