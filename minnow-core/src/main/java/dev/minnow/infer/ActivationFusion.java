package dev.minnow.infer;

import dev.minnow.graph.GraphEditor;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.ops.nn.FusedAddOp;
import dev.minnow.graph.ops.nn.FusedConvOp;
import dev.minnow.graph.pass.GraphPass;
import dev.minnow.graph.pass.PassRecord;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.List;

/**
 * Fuses a float Conv (1-D or 2-D) or a float Add with the Relu or Clip (constant bounds) that is
 * the only reader of its output into one node of Minnow's domain, FusedConv or FusedAdd, whose
 * attributes carry the bounds; the fused node writes the activation's output name. The value
 * between the two disappears, which is why an observed executor does not run this pass.
 */
public final class ActivationFusion implements GraphPass {
    @Override
    public String name() {
        return "activation-fusion";
    }

    @Override
    public PassRecord apply(GraphEditor e) {
        PassRecord.Builder record = PassRecord.of(name());
        record.count("fused", 0);
        // fusing keeps every remaining value's type: one inference serves the whole pass
        java.util.Map<String, TensorType> types = new java.util.HashMap<>(e.commit().types());
        for (Node n : List.copyOf(e.graph().nodes())) {
            boolean conv = n.opType().equals("Conv") && n.domain().isEmpty() && isFloat(types, n.input(0))
                    && types.get(n.input(0)).shape().rank() <= 4;
            boolean add = n.opType().equals("Add") && n.domain().isEmpty() && n.inputs().size() == 2
                    && isFloat(types, n.input(0)) && isFloat(types, n.input(1));
            if (!conv && !add) {
                continue;
            }
            List<Node> readers = e.readers(n.output(0));
            if (readers.size() != 1 || e.isGraphOutput(n.output(0))) {
                continue;
            }
            Node act = readers.get(0);
            float[] bounds = act.input(0).equals(n.output(0)) ? clampBounds(e, act) : null;
            if (bounds == null) {
                continue;
            }
            Node fused = conv
                    ? new Node(n.name(), OpRegistry.MINNOW_DOMAIN, new FusedConvOp(FusedConvOp.attributes(n.attributes(), bounds[0], bounds[1])),
                            n.inputs(), List.of(act.output(0)))
                    : new Node(n.name(), OpRegistry.MINNOW_DOMAIN, new FusedAddOp(FusedAddOp.attributes(bounds[0], bounds[1])),
                            n.inputs(), List.of(act.output(0)));
            e.replaceNode(n, fused);
            e.removeNode(act);
            record.count("fused", 1).change(act.name() + " fused into " + n.name());
        }
        e.removeUnusedInitializers();
        return record.build();
    }

    /** [lo, hi] when node is a Relu, or a Clip whose bounds are constants, else null. */
    static float[] clampBounds(GraphEditor e, Node node) {
        if (node.opType().equals("Relu") && node.domain().isEmpty()) {
            return new float[] {0f, Float.POSITIVE_INFINITY};
        }
        if (!node.opType().equals("Clip") || !node.domain().isEmpty()) {
            return null;
        }
        float lo = (float) node.attributes().getFloat("min", Double.NEGATIVE_INFINITY);
        float hi = (float) node.attributes().getFloat("max", Double.POSITIVE_INFINITY);
        for (int k = 1; k <= 2; k++) {
            String name = node.input(k);
            if (name.isEmpty()) {
                continue;
            }
            Tensor t = e.initializer(name);
            if (t == null || t.size() != 1) {
                return null;
            }
            float v = (float) t.getDouble(0);
            if (k == 1) {
                lo = v;
            } else {
                hi = v;
            }
        }
        return lo <= hi ? new float[] {lo, hi} : null;
    }

    private static boolean isFloat(java.util.Map<String, TensorType> types, String value) {
        TensorType t = types.get(value);
        return t != null && t.dtype() == DType.FLOAT32;
    }
}
