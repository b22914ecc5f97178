package dev.minnow.onnx.passes;

import dev.minnow.graph.Attributes;
import dev.minnow.graph.Graph;
import dev.minnow.graph.Node;
import dev.minnow.graph.OpRegistry;
import dev.minnow.graph.TensorType;
import dev.minnow.graph.Value;
import dev.minnow.tensor.DType;
import dev.minnow.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Upcasts a float16/bfloat16 model to float32: initializers, graph inputs and outputs, and
 * every type-naming attribute ("to" of Cast, "dtype", tensor-valued attributes such as
 * ConstantOfShape's value). Results change only by the rounding the half types would have done.
 */
public final class HalfToFloat {
    private HalfToFloat() {
    }

    private static boolean half(DType t) {
        return t == DType.FLOAT16 || t == DType.BFLOAT16;
    }

    /** Returns the number of tensors, values and nodes changed. */
    public static int apply(Graph g, OpRegistry registry) {
        int changed = 0;
        for (Map.Entry<String, Tensor> e : g.initializers().entrySet()) {
            if (half(e.getValue().dtype())) {
                e.setValue(e.getValue().cast(DType.FLOAT32));
                changed++;
            }
        }
        List<Value> ins = upcast(g.inputs());
        List<Value> outs = upcast(g.outputs());
        changed += countChanged(g.inputs(), ins) + countChanged(g.outputs(), outs);
        g.setInputs(ins);
        g.setOutputs(outs);
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            Map<String, Object> attrs = new LinkedHashMap<>(n.attributes().asMap());
            boolean touched = false;
            for (Map.Entry<String, Object> e : attrs.entrySet()) {
                Object v = e.getValue();
                if ((e.getKey().equals("to") || e.getKey().equals("dtype")) && v instanceof Long code
                        && (code == DType.FLOAT16.onnxCode || code == DType.BFLOAT16.onnxCode)) {
                    e.setValue((long) DType.FLOAT32.onnxCode);
                    touched = true;
                } else if (v instanceof Tensor t && half(t.dtype())) {
                    e.setValue(t.cast(DType.FLOAT32));
                    touched = true;
                }
            }
            if (touched) {
                nodes.add(n.withOp(registry.create(n.opType(), new Attributes(attrs))));
                changed++;
            } else {
                nodes.add(n);
            }
        }
        g.setNodes(nodes);
        return changed;
    }

    private static List<Value> upcast(List<Value> vs) {
        List<Value> r = new ArrayList<>();
        for (Value v : vs) {
            r.add(v.type() != null && half(v.type().dtype())
                    ? new Value(v.name(), new TensorType(DType.FLOAT32, v.type().shape())) : v);
        }
        return r;
    }

    private static int countChanged(List<Value> a, List<Value> b) {
        int n = 0;
        for (int i = 0; i < a.size(); i++) {
            n += a.get(i).equals(b.get(i)) ? 0 : 1;
        }
        return n;
    }
}
