package dev.minnow.onnx;

import dev.minnow.tensor.DType;
import dev.minnow.tensor.Shape;
import dev.minnow.tensor.Tensor;
import java.util.Map;
import java.util.Set;

/**
 * Moves nodes between opset forms where ONNX turned attributes into inputs. Reading lifts
 * every node older than opset 13 to its opset-13 form (so ops only meet forms from 13 on) and
 * records that opset in "_opset"; writing converts the Reduce ops to and from their opset-18
 * form (axes as an input) to match the model's opset.
 */
final class OpsetForms {
    static final Set<String> REDUCE_AXES_INPUT_FROM_18 = Set.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
            "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

    private OpsetForms() {
    }

    /** Lifts a node read at opset &lt; 13 to the opset-13 form; new constant inputs go into {@code constants}. */
    static void liftTo13(NodeSpec n, Map<String, Tensor> constants) {
        if (n.opset >= 13 || !n.domain.isEmpty()) {
            return;
        }
        boolean changed = switch (n.type) {
            case "Squeeze", "Unsqueeze", "ReduceSum" -> attrToInput(n, "axes", 1, constants, true);
            case "Split" -> attrToInput(n, "split", 1, constants, true);
            case "TopK" -> n.opset < 10 && attrToInput(n, "k", 1, constants, true);
            case "Slice" -> n.opset < 10 && sliceTo10(n, constants);
            case "Pad" -> n.opset < 11 && padTo11(n, constants);
            case "Clip" -> n.opset < 11 && clipTo11(n, constants);
            case "Dropout" -> n.opset < 12 && dropoutTo12(n, constants);
            case "Upsample" -> upsampleToResize(n, constants);
            case "Resize" -> n.opset < 11 && resize10To11(n);
            case "Softmax", "LogSoftmax", "Hardmax" -> {
                // before 13 the default axis was 1 (and the input was coerced to 2-D there); say it
                // explicitly so an op with opset-13 defaults (-1) still normalises the right axis.
                // The opset stays: an op may implement the 2-D coercion from "_opset".
                n.attrs.set("axis", n.attrs.getInt("axis", 1));
                yield false;
            }
            case "BatchNormalization" -> {
                n.removeAttr("spatial");
                n.removeAttr("is_test");
                n.removeAttr("consumed_inputs");
                yield true;
            }
            default -> false;
        };
        if (changed) {
            n.opset = 13;
        }
    }

    private static boolean attrToInput(NodeSpec n, String attr, int index, Map<String, Tensor> constants, boolean asInt64) {
        if (!n.attrs.has(attr)) {
            return true;
        }
        Object v = n.attrs.asMap().get(attr);
        Tensor t;
        if (v instanceof long[] a) {
            t = Tensor.ofLongs(Shape.of(a.length), a);
        } else if (v instanceof Long l) {
            t = Tensor.ofLongs(Shape.of(1), l);
        } else {
            return false;
        }
        n.removeAttr(attr);
        n.setInput(index, constant(n, attr, t, constants));
        return asInt64;
    }

    private static String constant(NodeSpec n, String what, Tensor t, Map<String, Tensor> constants) {
        String base = (n.name.isEmpty() ? n.type : n.name) + "__" + what;
        String name = base;
        for (int i = 1; constants.containsKey(name); i++) {
            name = base + i;
        }
        constants.put(name, t);
        return name;
    }

    private static boolean sliceTo10(NodeSpec n, Map<String, Tensor> constants) {
        long[] starts = n.attrs.getInts("starts", new long[0]);
        long[] ends = n.attrs.getInts("ends", new long[0]);
        long[] axes = n.attrs.getInts("axes", null);
        for (String k : new String[] {"starts", "ends", "axes"}) {
            n.removeAttr(k);
        }
        n.setInput(1, constant(n, "starts", Tensor.ofLongs(Shape.of(starts.length), starts), constants));
        n.setInput(2, constant(n, "ends", Tensor.ofLongs(Shape.of(ends.length), ends), constants));
        if (axes != null) {
            n.setInput(3, constant(n, "axes", Tensor.ofLongs(Shape.of(axes.length), axes), constants));
        }
        return true;
    }

    private static boolean padTo11(NodeSpec n, Map<String, Tensor> constants) {
        long[] pads = n.attrs.getInts(n.attrs.has("pads") ? "pads" : "paddings", new long[0]);
        double value = n.attrs.getFloat("value", 0);
        n.removeAttr("pads");
        n.removeAttr("paddings");
        n.removeAttr("value");
        n.setInput(1, constant(n, "pads", Tensor.ofLongs(Shape.of(pads.length), pads), constants));
        if (value != 0) {
            n.setInput(2, constant(n, "value", Tensor.scalar((float) value), constants));
        }
        return true;
    }

    private static boolean clipTo11(NodeSpec n, Map<String, Tensor> constants) {
        if (n.attrs.has("min")) {
            n.setInput(1, constant(n, "min", Tensor.scalar((float) n.attrs.getFloat("min", 0)), constants));
        }
        if (n.attrs.has("max")) {
            n.setInput(2, constant(n, "max", Tensor.scalar((float) n.attrs.getFloat("max", 0)), constants));
        }
        n.removeAttr("min");
        n.removeAttr("max");
        return true;
    }

    private static boolean dropoutTo12(NodeSpec n, Map<String, Tensor> constants) {
        if (n.attrs.has("ratio")) {
            n.setInput(1, constant(n, "ratio", Tensor.scalar((float) n.attrs.getFloat("ratio", 0.5)), constants));
        }
        n.removeAttr("ratio");
        n.removeAttr("is_test");
        return true;
    }

    /** Upsample (opset 7..9) and Resize-10 compute nearest/linear with asymmetric coordinates. */
    private static boolean upsampleToResize(NodeSpec n, Map<String, Tensor> constants) {
        String scales = n.input(1);
        if (n.attrs.has("scales")) {
            double[] s = n.attrs.getFloats("scales", new double[0]);
            float[] f = new float[s.length];
            for (int i = 0; i < s.length; i++) {
                f[i] = (float) s[i];
            }
            scales = constant(n, "scales", Tensor.of(Shape.of(f.length), f), constants);
        }
        String mode = n.attrs.getString("mode", "nearest");
        dev.minnow.graph.Attributes a = new dev.minnow.graph.Attributes();
        a.set("mode", mode.equals("bilinear") ? "linear" : mode);
        a.set("coordinate_transformation_mode", "asymmetric");
        if (!mode.equals("nearest")) {
            n.attrs = a;
        } else {
            n.attrs = a.set("nearest_mode", "floor");
        }
        String x = n.input(0);
        n.inputs.clear();
        n.inputs.add(x);
        n.inputs.add("");
        n.inputs.add(scales);
        n.type = "Resize";
        return true;
    }

    private static boolean resize10To11(NodeSpec n) {
        String x = n.input(0);
        String scales = n.input(1);
        String mode = n.attrs.getString("mode", "nearest");
        n.attrs = new dev.minnow.graph.Attributes().set("mode", mode).set("coordinate_transformation_mode", "asymmetric");
        if (mode.equals("nearest")) {
            n.attrs.set("nearest_mode", "floor");
        }
        n.inputs.clear();
        n.inputs.add(x);
        n.inputs.add("");
        n.inputs.add(scales);
        return true;
    }

    /**
     * Converts the Reduce ops between their attribute form (opset &lt; 18) and input form (18+)
     * for writing at {@code target}. Returns false when the axes are not constant and cannot move.
     */
    /** Before opset 18 Split has no num_outputs: equal parts follow from the number of outputs. */
    static void splitForWrite(NodeSpec n, int target) {
        if (n.type.equals("Split") && target < 18 && n.attrs.has("num_outputs")
                && n.attrs.getInt("num_outputs", 0) == n.outputs.size()) {
            n.removeAttr("num_outputs");
        }
    }

    static boolean reduceForWrite(NodeSpec n, int target, Map<String, Tensor> constants, Map<String, Tensor> extra) {
        if (!REDUCE_AXES_INPUT_FROM_18.contains(n.type)) {
            return true;
        }
        boolean inputForm = n.opset >= 18;
        if (target >= 18 && !inputForm) {
            if (n.attrs.has("axes")) {
                long[] axes = n.attrs.getInts("axes", new long[0]);
                n.removeAttr("axes");
                n.setInput(1, constant(n, "axes", Tensor.ofLongs(Shape.of(axes.length), axes), extra));
            }
        } else if (target < 18 && inputForm && !n.input(1).isEmpty()) {
            Tensor axes = constants.get(n.input(1));
            if (axes == null) {
                axes = extra.get(n.input(1));
            }
            if (axes == null || (axes.dtype() != DType.INT64 && axes.dtype() != DType.INT32)) {
                return false;
            }
            long[] a = new long[axes.size()];
            for (int i = 0; i < a.length; i++) {
                a[i] = axes.getLong(i);
            }
            n.attrs.set("axes", a);
            if (n.attrs.getInt("noop_with_empty_axes", 0) == 0) {
                n.removeAttr("noop_with_empty_axes");
            }
            n.inputs.subList(1, n.inputs.size()).clear();
        }
        n.opset = target;
        return true;
    }
}
